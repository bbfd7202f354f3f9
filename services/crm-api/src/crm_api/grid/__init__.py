"""The fundraising grid: investors as rows, funds (then custom columns) as columns, and a cell the
investor's opportunity in the fund.

Its parts, each with its service, repository and schemas:
- `rows`: one row per investor, its flags, lead source, custom values and contacts; matching an
  investor by email or web domain; logging a communication on a row's investor;
- `columns`: the live funds, then the custom columns (a row's custom values are checked here);
- `views`: saved views (filters, sorts, columns, grouping);
- `cells`: cell edits (the investor's opportunity), batches of edits, and undo;
- `pivot`: reading the grid for a view (selecting, rendering, totals).

Shared by the parts: `models` (every grid table, the lists the automations keep included),
`schemas` (shared types), `facts` and `conditions` (what a view or a rule reads of a row), `errors`
and `routes` (the HTTP routes of every part).
"""
