/** How long a message is kept: the record and timeline (what happened, for whom, when), then deleted. */
export const MESSAGE_RETENTION_DAYS = 8 * 365;
/**
 * How long a message's body (the patient's details) is kept: long after any receiver collected it or ops could
 * replay it; the clinical record lives in the practice's and the receiver's own systems.
 */
export const BODY_RETENTION_DAYS = 180;
