import { NavLink } from "react-router";

/** The three agent screens, side by side. */
export function AgentsTabs() {
  return (
    <nav className="tabs" aria-label="Agents">
      <NavLink to="/agents" end>
        Proposals
      </NavLink>
      <NavLink to="/agents/log">Interaction log</NavLink>
      <NavLink to="/agents/keys">API keys</NavLink>
    </nav>
  );
}
