/** The left navigation, in the order partners use it. `adminOnly` entries hide for others. */
export interface NavItem {
  to: string;
  label: string;
  adminOnly?: boolean;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

export const NAV: NavSection[] = [
  {
    label: "Work",
    items: [{ to: "/", label: "Home" }],
  },
  {
    label: "Agents",
    items: [
      { to: "/agents", label: "Proposals" },
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
    items: [{ to: "/account", label: "My account" }],
  },
];
