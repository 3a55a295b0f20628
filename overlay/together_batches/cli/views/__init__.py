"""What the tool shows. Pure text, from values to lines:

| module | holds |
|---|---|
| `render` | tables, job details, progress lines, exit codes |
| `files` | file tables, result lines, transfer lines, input problems |
| `workload_table` | a workload's progress and status, and the live views' decisions |
| `readable` | a field shown as it came when it cannot be read as its type (`unreadable`) |

and the live views, which draw that text as things change (redrawn in place on a terminal,
rate-limited plain lines elsewhere):

| module | holds |
|---|---|
| `progress` | a wait's views; `InPlaceLine`, the one in-place line the views share |
| `workload` | a workload's views |
| `transfer` | an upload's or a download's bar |

Loading: with the tool.
"""

AT_IMPORT = frozenset(
    {"files", "progress", "readable", "render", "transfer", "workload", "workload_table"}
)
ON_FIRST_USE: frozenset[str] = frozenset()
