import type { Role } from '../../core/api/responses';

/** One page of the app: where it is, what it is called, who has it in the menu (the API decides what each may do). */
export interface RouteInfo {
  path: string;
  /** The page's title in the browser tab and the navigation. */
  title: string;
  roles: readonly Role[];
  /** Shown in the header's navigation. */
  nav?: boolean;
}

/** The app's pages (their components are in routes.tsx, by path): the one route table the tests walk too. */
export const ROUTE_TABLE = [
  { path: '/', title: 'Home', roles: ['sender', 'receiver', 'ops'] },
  { path: '/overview', title: 'Overview', roles: ['ops'], nav: true },
  { path: '/inbox', title: 'Inbox', roles: ['receiver'], nav: true },
  { path: '/inbox/:id', title: 'Referral', roles: ['receiver'] },
  { path: '/sent', title: 'Referrals you sent', roles: ['sender'], nav: true },
  { path: '/emails', title: 'Emails sent to teams', roles: ['receiver', 'ops'] },
  { path: '/services', title: 'Your services', roles: ['receiver'], nav: true },
  { path: '/messages', title: 'Messages', roles: ['sender', 'receiver', 'ops'], nav: true },
  { path: '/overdue', title: 'Overdue', roles: ['ops'], nav: true },
  { path: '/receivers', title: 'Receivers', roles: ['ops'], nav: true },
  { path: '/routing', title: 'Routing', roles: ['ops'], nav: true },
  { path: '/networks', title: 'Networks', roles: ['ops'], nav: true },
  { path: '/outcomes', title: 'Outcomes', roles: ['ops'], nav: true },
  { path: '/alerts', title: 'Alerts', roles: ['ops'], nav: true },
  { path: '/messages/:id', title: 'Message', roles: ['sender', 'receiver', 'ops'] },
] as const satisfies readonly RouteInfo[];

export type AppPath = (typeof ROUTE_TABLE)[number]['path'];
