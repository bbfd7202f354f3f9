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
      { to: "/grid", label: "Fundraising grid" },
      { to: "/pipeline", label: "Pipeline" },
    ],
  },
  {
    label: "Settings",
    items: [{ to: "/account", label: "My account" }],
  },
];
