import type { ReactNode } from 'react';
import type { Session } from '../../core/api/responses';
import { AlertsPage } from './pages/AlertsPage';
import { AvailabilityPage } from './pages/AvailabilityPage';
import { EmailsPage } from './pages/EmailsPage';
import { HomePage } from './pages/HomePage';
import { InboxPage } from './pages/InboxPage';
import { MessagePage } from './pages/MessagePage';
import { MessagesPage } from './pages/MessagesPage';
import { NetworksPage } from './pages/NetworksPage';
import { OutcomesPage } from './pages/OutcomesPage';
import { OverduePage } from './pages/OverduePage';
import { OverviewPage } from './pages/OverviewPage';
import { ReceiversPage } from './pages/ReceiversPage';
import { ReferralPage } from './pages/ReferralPage';
import { RoutingPage } from './pages/RoutingPage';
import { SentPage } from './pages/SentPage';
import { type AppPath, ROUTE_TABLE, type RouteInfo } from './route-table';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
  session: Session;
}

export interface AppRoute extends RouteInfo {
  page: (props: PageProps) => ReactNode;
}

/** Each page's component, by its path in the route table. */
const PAGES: Record<AppPath, (props: PageProps) => ReactNode> = {
  '/': ({ session }) => <HomePage session={session} />,
  '/overview': ({ query }) => <OverviewPage query={query} />,
  '/inbox': () => <InboxPage />,
  '/inbox/:id': ({ params, session }) => <ReferralPage id={params.id!} session={session} />,
  '/sent': () => <SentPage />,
  '/emails': () => <EmailsPage />,
  '/services': ({ session }) => <AvailabilityPage session={session} />,
  '/messages': ({ query, session }) => <MessagesPage query={query} ops={session.roles.includes('ops')} />,
  '/overdue': () => <OverduePage />,
  '/receivers': () => <ReceiversPage />,
  '/routing': () => <RoutingPage />,
  '/networks': () => <NetworksPage />,
  '/outcomes': ({ query }) => <OutcomesPage query={query} />,
  '/alerts': () => <AlertsPage />,
  '/messages/:id': ({ params, session }) => <MessagePage id={params.id!} session={session} />,
};

/** The app's one route table: a page component per route. */
export const APP_ROUTES: readonly AppRoute[] = ROUTE_TABLE.map((route) => ({ ...route, page: PAGES[route.path] }));
