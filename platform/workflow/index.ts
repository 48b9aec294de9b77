export { createWorkflowEngine, signBody, SIGNATURE_HEADER, type WorkflowEngine, type WorkflowEngineOptions } from './service.ts';
export { definitionErrors, type WorkflowDefinition } from './definition.ts';
export type { WorkflowActions } from './steps.ts';
export { createMailer, type Mail, type Mailer } from './mail.ts';
