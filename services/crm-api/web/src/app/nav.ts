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
    items: [
      { to: "/", label: "Home" },
      { to: "/organizations", label: "Organizations" },
      { to: "/contacts", label: "Contacts" },
      { to: "/lp-profiles", label: "LP profiles" },
      { to: "/follow-ups", label: "Follow-ups" },
      { to: "/search", label: "Search" },
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
