import type { ReactNode } from 'react';
import { AlertsPage } from './pages/AlertsPage';
import { AvailabilityPage } from './pages/AvailabilityPage';
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
import type { Role, Session } from './types';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
  session: Session;
}

export interface AppRoute {
  path: string;
  /** The page's title in the browser tab and the navigation. */
  title: string;
  /** Who sees it in the navigation (the API decides what each may do). */
  roles: readonly Role[];
  page: (props: PageProps) => ReactNode;
  /** Shown in the header's navigation. */
  nav?: boolean;
}

/** The app's one route table: a page component per route. */
export const APP_ROUTES: readonly AppRoute[] = [
  {
    path: '/',
    title: 'Home',
    roles: ['sender', 'receiver', 'ops'],
    page: ({ session }) => <HomePage session={session} />,
  },
  {
    path: '/overview',
    title: 'Overview',
    roles: ['ops'],
    nav: true,
    page: ({ query }) => <OverviewPage query={query} />,
  },
  { path: '/inbox', title: 'Inbox', roles: ['receiver'], nav: true, page: () => <InboxPage /> },
  {
    path: '/inbox/:id',
    title: 'Referral',
    roles: ['receiver'],
    page: ({ params, session }) => <ReferralPage id={params.id!} session={session} />,
  },
  {
    path: '/services',
    title: 'Your services',
    roles: ['receiver'],
    nav: true,
    page: ({ session }) => <AvailabilityPage session={session} />,
  },
  {
    path: '/messages',
    title: 'Messages',
    roles: ['sender', 'receiver', 'ops'],
    nav: true,
    page: ({ query, session }) => <MessagesPage query={query} ops={session.roles.includes('ops')} />,
  },
  { path: '/overdue', title: 'Overdue', roles: ['ops'], nav: true, page: () => <OverduePage /> },
  { path: '/receivers', title: 'Receivers', roles: ['ops'], nav: true, page: () => <ReceiversPage /> },
  { path: '/routing', title: 'Routing', roles: ['ops'], nav: true, page: () => <RoutingPage /> },
  { path: '/networks', title: 'Networks', roles: ['ops'], nav: true, page: () => <NetworksPage /> },
  {
    path: '/outcomes',
    title: 'Outcomes',
    roles: ['ops'],
    nav: true,
    page: ({ query }) => <OutcomesPage query={query} />,
  },
  { path: '/alerts', title: 'Alerts', roles: ['ops'], nav: true, page: () => <AlertsPage /> },
  {
    path: '/messages/:id',
    title: 'Message',
    roles: ['sender', 'receiver', 'ops'],
    page: ({ params, session }) => <MessagePage id={params.id!} session={session} />,
  },
];
