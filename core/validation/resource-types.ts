/**
 * Resource types a PCN message may carry. Only these (and the R4 data types) are compiled into the validator;
 * anything else in a message is refused as not supported rather than loaded at cold start.
 */
export const MESSAGE_RESOURCE_TYPES = [
  'Resource', 'DomainResource', 'Bundle', 'MessageHeader', 'OperationOutcome', 'Parameters',
  'ServiceRequest', 'Task', 'Patient', 'RelatedPerson', 'Organization', 'Practitioner', 'PractitionerRole',
  'HealthcareService', 'Endpoint', 'Location', 'Encounter', 'EpisodeOfCare', 'CarePlan', 'CareTeam',
  'Appointment', 'Slot', 'Schedule', 'Condition', 'Observation', 'Flag', 'Consent', 'AllergyIntolerance',
  'MedicationStatement', 'MedicationRequest', 'Medication', 'Procedure', 'Immunization',
  'DocumentReference', 'Binary', 'QuestionnaireResponse', 'Questionnaire', 'Communication', 'Provenance',
] as const;
