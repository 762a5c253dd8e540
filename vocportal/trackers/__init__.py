"""Issue trackers that close the loop: staff link an idea to a GitHub, GitLab, Jira or
Linear issue; the tracker's signed webhook moves the idea's status (and so tells every
supporter); a new link posts the idea's URL and demand as a comment on the issue."""
