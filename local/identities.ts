/** ODS codes the local hub signs its own messages with, and of its ops staff (sample codes). */
export const LOCAL_HUB_ODS = 'Z9HUB1';
export const LOCAL_OPS_ODS = 'Z9OPS1';
/** The sample practice the README's first referral comes from: Hilltops Medical Centre, Watling Street PCN. */
export const SAMPLE_PRACTICE = 'Z9W001';
