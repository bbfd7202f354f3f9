/** The left navigation, in the order partners use it. `adminOnly` entries hide for others. */
export interface NavItem {
  to: string;
  label: string;
  adminOnly?: boolean;
  /** Active on this exact path only (a parent of other entries). */
  end?: boolean;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

export const NAV: NavSection[] = [
  {
    label: "Work",
    items: [
      { to: "/", label: "Home" },
      { to: "/grid", label: "Fundraising grid" },
      { to: "/pipeline", label: "Pipeline" },
      { to: "/organizations", label: "Organizations" },
      { to: "/contacts", label: "Contacts" },
      { to: "/lp-profiles", label: "LP profiles" },
      { to: "/follow-ups", label: "Follow-ups" },
      { to: "/search", label: "Search" },
    ],
  },
  {
    label: "Agents",
    items: [
      { to: "/agents", label: "Proposals", end: true },
      { to: "/agents/log", label: "Interaction log" },
      { to: "/agents/keys", label: "API keys" },
      { to: "/review", label: "Entity review" },
    ],
  },
  {
    label: "Admin",
    items: [
      { to: "/admin/users", label: "Users", adminOnly: true },
      { to: "/admin/audit", label: "Audit log", adminOnly: true },
      { to: "/admin/automations", label: "Automations", adminOnly: true },
      { to: "/admin/backups", label: "Backups", adminOnly: true },
      { to: "/admin/feature-requests", label: "Feature requests", adminOnly: true },
      { to: "/admin/security", label: "Security", adminOnly: true },
    ],
  },
  {
    label: "Settings",
    items: [
      { to: "/account", label: "My account" },
      { to: "/bin", label: "Recycle bin" },
    ],
  },
];
