import type { Session } from '../../../core/api/responses';
import { Link } from '../router';

/** Where a signed-in person starts: what their role lets them do. */
export function HomePage({ session }: { session: Session }) {
  const ops = session.roles.includes('ops');
  return (
    <>
      <h1>PCN Referral Hub</h1>
      <p className="nhsuk-body-l">
        Signed in for organisation {session.organisation} as {session.roles.join(' and ')}.
      </p>
      <ul className="nhsuk-list nhsuk-list--bullet">
        {ops && (
          <>
            <li>
              <Link to="/overview">Overview</Link>: traffic, how much is taken on or fails, and what waits now.
            </li>
            <li>
              <Link to="/alerts">Alerts</Link>: what needs attention now, and what was put right.
            </li>
            <li>
              <Link to="/messages">All messages</Link>: every referral and answer passing through the hub.
            </li>
            <li>
              <Link to="/messages?status=failed">Failed messages</Link>: what could not be delivered, and sending it
              again.
            </li>
            <li>
              <Link to="/outcomes">Outcomes</Link>: what came of the referrals, per network and service, to download.
            </li>
          </>
        )}
        {session.roles.includes('receiver') && (
          <>
            <li>
              <Link to="/inbox">Inbox</Link>: referrals and requests waiting for your team, to accept, pass on or
              complete.
            </li>
            <li>
              <Link to="/services">Your services</Link>: whether each is taking new referrals.
            </li>
          </>
        )}
        {session.roles.includes('sender') && (
          <li>
            <Link to="/sent">Referrals you sent</Link>: where each stands (waiting, accepted, rejected and why, passed
            on, completed), and the answers and notices about them.
          </li>
        )}
        {!ops && !session.roles.includes('sender') && (
          <li>
            <Link to="/messages">Messages</Link>: what your organisation sent and received, and where each is.
          </li>
        )}
      </ul>
    </>
  );
}
