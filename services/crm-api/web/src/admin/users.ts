/** The users list's search, filters and sort (GET /api/users has none: it answers everyone). */
import type { components } from "../api/schema";

type User = components["schemas"]["UserRead"];

export interface UserFilter {
  q: string;
  role: string;
  /** "active", "inactive" or "all" */
  status: string;
  /** "name", "-last_login" or "-created" */
  sort: string;
}

function time(value: string | null): number {
  return value ? new Date(value).getTime() || 0 : 0;
}

export function filterUsers(users: User[], filter: UserFilter): User[] {
  const q = filter.q.trim().toLowerCase();
  const shown = users.filter((user) => {
    if (filter.role && user.role !== filter.role) return false;
    if (filter.status === "active" && !user.is_active) return false;
    if (filter.status === "inactive" && user.is_active) return false;
    if (q && ![user.display_name, user.username, user.email ?? ""].some((text) => text.toLowerCase().includes(q))) return false;
    return true;
  });
  const byName = (a: User, b: User) => a.display_name.localeCompare(b.display_name);
  switch (filter.sort) {
    case "-last_login":
      return shown.sort((a, b) => time(b.last_login_at) - time(a.last_login_at) || byName(a, b));
    case "-created":
      return shown.sort((a, b) => time(b.created_at) - time(a.created_at) || byName(a, b));
    default:
      return shown.sort(byName);
  }
}
