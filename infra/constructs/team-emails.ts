import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ENV } from '../../functions/lib/environment.js';

/**
 * Emails to receiving teams' shared mailboxes (urgent work arrived, the morning digest) through Amazon SES, from the
 * deployment's address: an SES identity (confirm it, and move the account out of the SES sandbox, to reach any
 * mailbox). Only the functions that send them may, and only from that identity.
 */
export class HubTeamEmails extends Construct {
  readonly identity: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: { from: string; senders: readonly NodejsFunction[] }) {
    super(scope, id);
    this.identity = new ses.EmailIdentity(this, 'From', { identity: ses.Identity.email(props.from) });
    for (const sender of props.senders) {
      this.identity.grantSendEmail(sender);
      sender.addEnvironment(ENV.mailFrom, props.from);
    }
  }
}
