import { useApi } from '../hooks';
import { when } from '../words';
import { Table } from './Table';

/** Where the hub running on this computer keeps the emails it would have sent (local/outbox.ts). */
const LOCAL_OUTBOX = '/local/outbox';

/**
 * The emails the hub has sent teams. On this computer they are caught, not sent, and shown here; on AWS they go
 * through Amazon SES to each team's shared mailbox and are not kept.
 */
export function EmailsPage() {
  const { data, error } = useApi<{ emails: { at: string; to: string; subject: string; text: string }[] }>(LOCAL_OUTBOX);
  return (
    <>
      <h1>Emails sent to teams</h1>
      {error && (
        <p className="nhsuk-body">
          This hub sends its emails through Amazon SES to each team's shared mailbox and does not keep them.
        </p>
      )}
      {data && (
        <p className="nhsuk-body">
          The hub running on this computer catches the emails it would send (it sends none), newest first.
        </p>
      )}
      {data && data.emails.length === 0 && <p className="nhsuk-body">No email yet.</p>}
      {data && data.emails.length > 0 && (
        <Table
          caption="Emails the hub sent to teams, newest first"
          headings={['Sent', 'To', 'Subject', 'What it says']}
          rows={data.emails.map((email, i) => ({
            key: `${email.at}-${i}`,
            cells: [when(email.at), email.to, email.subject, email.text],
          }))}
        />
      )}
    </>
  );
}
