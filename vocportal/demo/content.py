"""Demo content for vocportal: a fictional SaaS product and its customers' feature requests.

Pure data, no logic. Used to seed a demo portal with boards, ideas, comments, staff
replies, customers and status updates. Ideas are grouped into themes (the ``theme``
key) whose members paraphrase each other, so similarity detection has realistic
near-duplicates to find. All companies and people are fictional; email domains use the
reserved ``.example`` TLD.
"""

from __future__ import annotations

PRODUCT = {
    "name": "Tallyhive",
    "tagline": "Time tracking, budgets and invoicing for agencies, consultancies and freelancers.",
}

BOARDS = [
    {
        "slug": "time-tracking",
        "name": "Time Tracking & Timesheets",
        "description": (
            "Timers, timesheets, overtime, time off and everything about getting hours recorded "
            "accurately."
        ),
    },
    {
        "slug": "invoicing-billing",
        "name": "Invoicing & Billing",
        "description": (
            "Invoices, retainers, rates, taxes, expenses and getting paid by your clients."
        ),
    },
    {
        "slug": "reports-budgets",
        "name": "Reports & Budgets",
        "description": "Reporting, exports, project budgets, profitability and capacity planning.",
    },
    {
        "slug": "integrations",
        "name": "Integrations & API",
        "description": (
            "Connections to Jira, GitHub, Slack, QuickBooks, Xero, calendars, payroll tools, "
            "Zapier and the Tallyhive API."
        ),
    },
    {
        "slug": "mobile-desktop",
        "name": "Mobile & Desktop Apps",
        "description": "The iOS, Android, macOS, Windows and Linux apps, widgets and wearables.",
    },
    {
        "slug": "admin-security",
        "name": "Admin, Access & Security",
        "description": (
            "Roles and permissions, SSO, two-factor authentication, audit trails, data hosting and "
            "seats."
        ),
    },
]

IDEAS = [
    # --- time-tracking / idle-detection ---
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "Detect idle time and ask whether to keep it",
        "body": (
            "I leave the timer running when I step away for lunch and come back to 90 extra "
            'minutes on a client project. Would love a prompt like "You were idle for 42 min — '
            'keep, discard, or move it?"'
        ),
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "Idle detection on the desktop app",
        "body": (
            "The desktop app already knows when my machine is locked. Please use that to pause the "
            "timer automatically after X minutes of no keyboard or mouse activity."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "stop counting time when my laptop goes to sleep",
        "body": (
            "Closed my laptop friday evening, opened it monday and had a 64 hour time entry. Not "
            "great when the client sees it on an invoice."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "Configurable inactivity threshold before the timer pauses",
        "body": (
            "Some of our designers sketch on paper for 20 minutes at a time, so a hard 5-minute "
            "cutoff would be wrong for them. Please let each user (or the admin) choose:\n"
            "- 5 / 10 / 15 / 30 minutes\n"
            "- or off completely"
        ),
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "Warn me when my timer kept running while I was away",
        "body": (
            'Just a simple notification when I return to my desk — "your timer kept running while '
            'you were away, want to trim it?" — would save me a lot of manual editing every week.'
        ),
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "Auto-trim entries that contain long stretches of inactivity",
        "body": (
            "We audit timesheets before invoicing and the most common fix is cutting idle chunks "
            "out of long entries. If Tallyhive could flag or trim those automatically it would "
            "save our ops lead roughly two hours a week."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "AFK detection like other trackers have",
        "body": "Title says it all. This is table stakes for a desktop timer at this point.",
    },
    {
        "board": "time-tracking",
        "theme": "idle-detection",
        "title": "Let me reassign away-from-keyboard minutes to another project",
        "body": (
            "Often I'm not idle, I'm in a meeting room without my laptop. When the app notices I "
            'was away I\'d like to move that block to "Internal - Meetings" instead of just '
            "throwing it away."
        ),
    },
    # --- time-tracking / overtime-rules ---
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "Overtime rules per country or contract type",
        "body": (
            "We have staff in Germany, Spain and the UK and overtime kicks in differently for "
            'each. Would be great to define rules like "over 40h/week" or "over 8h/day" per '
            "employee group."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "Flag hours above 40 per week as overtime",
        "body": (
            "Right now we export everything to a spreadsheet just to calculate overtime. A simple "
            "weekly threshold, with overtime hours shown separately on the timesheet, would be "
            "enough for us."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "Overtime multipliers for billing (1.5x evenings, 2x weekends)",
        "body": (
            "Some of our contracts let us bill weekend work at 2x and after-hours work at 1.5x. We "
            'currently create duplicate "Weekend" tasks with different rates, which is messy and '
            "people forget to use them."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "need a daily overtime threshold too",
        "body": (
            "California-style daily overtime (anything over 8h in a day) please. Weekly alone "
            "doesn't cut it for us."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "Track time in lieu as an overtime balance per employee",
        "body": (
            "Our staff don't get paid for extra hours, they get time off in lieu. I'd love a "
            "running balance: hours worked above contract minus TOIL taken. HR keeps this in a "
            "separate sheet that is always out of date."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "Show extra hours on the weekly timesheet",
        "body": (
            "Even a small **+3.5h overtime** badge next to the week total would help managers spot "
            "burnout before it happens."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "overtime-rules",
        "title": "Part-timers need their own overtime threshold",
        "body": (
            "We have people on 24h and 32h contracts. Extra hours for them should start counting "
            "at their contracted hours, not at a company-wide 40h, so we'd need contracted hours "
            "per user."
        ),
    },
    # --- time-tracking / pto-tracking ---
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Track vacation and sick leave inside Tallyhive",
        "body": (
            "We use Tallyhive for everything except leave, which lives in a shared Google Sheet. A "
            "proper time-off module would mean our capacity numbers finally account for people "
            "being away."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Leave requests with manager approval",
        "body": (
            "Employee requests days off, manager approves, and the days show up as non-working on "
            "the timesheet. Basic stuff, but we'd drop another tool for it."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Public holidays per country",
        "body": (
            "Our team is split between Ireland, Poland and Canada. Timesheets keep flagging "
            '"missing hours" on public holidays. Please let us assign a holiday calendar to each '
            "user."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "holiday allowance + carry-over balances",
        "body": (
            "Need: yearly allowance per person, carry-over up to X days, balance visible to the "
            "employee. Currently doing this by hand for 35 people."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Mark myself as out of office so the reminders stop",
        "body": (
            'I was on holiday for two weeks and got a daily "you haven\'t logged time" email the '
            "whole time. There should be a way to say I'm away."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Separate absence types: vacation, sick, parental, unpaid",
        "body": (
            'We need to report these separately for payroll. A single "Time off" project doesn\'t '
            "give us enough detail and people put random notes in the description."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Team absence calender so we know who's out",
        "body": (
            "A simple calendar showing who's off this week and next would help our PMs plan "
            "sprints. Bonus points if it syncs to Google Calendar."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "pto-tracking",
        "title": "Approved days off should reduce expected weekly hours",
        "body": (
            "If someone takes Friday off, their expected hours that week should drop to 32. "
            "Otherwise the utilization report says they were at 80% when they were really at 100%."
        ),
    },
    # --- time-tracking / approval-workflow ---
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Timesheet approval by project managers",
        "body": (
            "We need a workflow where employees submit their week and the PM for each project "
            "approves or rejects the hours before they can end up on an invoice."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Send a timesheet back with a comment",
        "body": (
            'When I review timesheets I sometimes need to return one ("you logged 6h on the wrong '
            'client"). Right now I message them on Slack and then have to remember to check again.'
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Two-step sign-off: PM first, then finance",
        "body": (
            "Our process is PM approves hours for their project, then finance does a final check "
            "before billing. Would be great if Tallyhive supported that chain instead of a single "
            "approver."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "add a submit week button",
        "body": (
            'Would love a "Submit week" button so people have a clear moment where they\'re done '
            "and managers know what is ready for review."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Approve many timesheets at once",
        "body": (
            "I manage 22 contractors. Opening each timesheet individually every Monday takes ages. "
            "Let me tick the ones that look fine and approve them in one go."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Only reviewed hours should be billable on invoices",
        "body": (
            "Currently an invoice can pull in hours nobody has checked. We'd like a setting so "
            "that only approved time can be added to invoices."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Delegate approval rights while I'm on vacation",
        "body": (
            "If I'm away for two weeks nobody can sign off my team's hours. Please allow a backup "
            "approver or a temporary delegation."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "approval-workflow",
        "title": "Notify approvers when timesheets are waiting for them",
        "body": (
            'A digest email to managers saying "5 timesheets are waiting for your approval" would '
            "make the process actually happen on time."
        ),
    },
    # --- time-tracking / timer-reminders ---
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": "Remind me to start a timer when my workday begins",
        "body": (
            "Half my missing hours come from forgetting to hit start in the morning. A gentle "
            "nudge at 9:15 if nothing is running would help a lot."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": "End-of-day reminder if I've logged less than a full day",
        "body": (
            "At 5:30pm, if my day has under 7.5h logged, send me a push notification so I can fill "
            "the gaps while I still remember what I did."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": 'Weekly "missing timesheet" emails for the team',
        "body": (
            "As an admin I want Tallyhive to automatically email anyone who hasn't filled in last "
            "week's hours by Monday noon, so I can stop chasing people myself."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": "customizable reminder schedule per time zone",
        "body": (
            "The default reminder fires at 4pm our time but our team in Singapore works different "
            "hours. Reminders should follow each user's time zone and working days."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": "Ask me if I'm still working when the timer runs past my usual hours",
        "body": (
            'If a timer is still going at 7pm, ping me with "still on this?". I\'ve left timers '
            "running overnight more times than I'd like to admit."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": "Nudge people who forgot to log time yesterday",
        "body": (
            "Our biggest source of bad data is people reconstructing a whole week on Friday "
            'afternoon. A morning nudge ("yesterday only has 2h logged") would fix most of it.'
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timer-reminders",
        "title": "Reminders through Slack DM instead of email",
        "body": (
            "I ignore emails but I'd notice a direct message. Please let me choose where the \"you "
            "haven't tracked anything today\" reminder goes."
        ),
    },
    # --- time-tracking / bulk-time-edit ---
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Bulk edit time entries",
        "body": (
            "I need to move 40 entries from one project to another after a client restructured "
            "their account. Doing it one by one is painful."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Select multiple entries and change the task",
        "body": "Checkbox on each row + a \"change project/task\" action. That's all I'm asking.",
    },
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Mass update the billable flag",
        "body": (
            "We discovered a week of entries was wrongly marked non-billable. Had to click through "
            "60+ entries to fix it. Please add a bulk toggle."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Delete duplicate entries in bulk after a bad import",
        "body": (
            "Our CSV import ran twice and now I have hundreds of duplicated entries. There's no "
            "way to delete them except one at a time."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Move a batch of hours to a different client",
        "body": (
            "Someone logged a whole sprint against the wrong client. As an admin I should be able "
            "to filter those entries and reassign them all at once, ideally keeping a record of "
            "the change."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Find and replace in time entry descriptions",
        "body": (
            "We renamed a deliverable and want the old notes to match. Find & replace across "
            "selected entries would be handy — rarely needed, but super painful when it is."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "bulk-time-edit",
        "title": "Multi-select editing directly from the reports page",
        "body": (
            "When I filter a report and spot wrong data, I want to fix it right there: select rows "
            "and edit project, task, tags or billable status together."
        ),
    },
    # --- time-tracking / rounding-rules ---
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "Round time entries to the nearest 15 minutes",
        "body": (
            "Our contracts bill in quarter-hour increments. Right now we round manually on the "
            "invoice, which means reports and invoices never match."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "6-minute billing increments for legal clients",
        "body": (
            "We consult for law firms who expect tenth-of-an-hour billing. An option to round each "
            "entry up to 0.1h would make our invoices look like what they're used to."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "Rounding on invoices only, exact time for payroll",
        "body": (
            "We bill clients rounded time but pay contractors for the exact minutes. So rounding "
            "should be applied per output (invoice vs reports) rather than altering the raw "
            "entries."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "Minimum billable duration per entry",
        "body": (
            "Some clients agreed to a 30 minute minimum for any support call. It'd be great to set "
            "a minimum per client or project."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "round up vs round down vs nearest",
        "body": (
            "Please let us pick the direction. Some of our clients insist we round down, others "
            "are fine with nearest."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "Rounding settings per project, not per workspace",
        "body": (
            "Rounding differs per contract, so a single workspace-wide setting isn't enough. Let "
            "us set it on the project, with a default at workspace level."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "rounding-rules",
        "title": "Show rounded and actual duration side by side",
        "body": (
            'Even if billing rules can\'t change yet, seeing "1h 07m (rounded: 1h 15m)" in reports '
            "would make reconciliation much easier."
        ),
    },
    # --- time-tracking / timesheet-locking ---
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "Lock timesheets after a cut-off date",
        "body": (
            "Once we've run payroll for a month, people shouldn't be able to go back and edit "
            "entries from that month. Right now they can, and it breaks our numbers."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "Prevent edits to time that has already been invoiced",
        "body": (
            "Someone edited an entry that was already on a sent invoice, and the report no longer "
            "matched what we billed. Invoiced time should be read-only."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "Close a period for the whole workspace",
        "body": (
            'Finance wants a "close period" action: everything up to 31 March is locked and only '
            "admins can reopen it."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "Auto-lock entries older than X days",
        "body": (
            "We'd like a rolling lock — anything older than 14 days can't be edited without admin "
            "approval. It would also encourage people to log on time."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "Let admins unlock one person's week",
        "body": (
            "If you add locking we'd need an escape hatch: an admin should be able to reopen a "
            "single user's week to fix a mistake."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "stop people backdating time entries",
        "body": (
            "We have a contractor who keeps adding hours for weeks that are long closed. Need a "
            "setting that blocks creating entries before a certain date."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "timesheet-locking",
        "title": "Freeze a timesheet once it has been signed off",
        "body": (
            "After a manager signs off a week it should be frozen. Currently the employee can "
            "still change it afterwards and nobody notices."
        ),
    },
    # --- time-tracking / keyboard-shortcuts ---
    {
        "board": "time-tracking",
        "theme": "keyboard-shortcuts",
        "title": "Keyboard shortcuts for starting and stopping timers",
        "body": (
            "I live in the keyboard. Something like `s` to start/stop, `n` for a new entry and `/` "
            "to search projects would make the web app much faster."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "keyboard-shortcuts",
        "title": "Global hotkey on the desktop app",
        "body": (
            "I'd love a system-wide shortcut (e.g. Ctrl+Alt+T) to toggle the current timer without "
            "switching windows."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "keyboard-shortcuts",
        "title": "Command palette (Cmd+K) for everything",
        "body": (
            "A Cmd+K palette to jump to a project, start a timer on a task or open a report. "
            "Linear has spoiled me."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "keyboard-shortcuts",
        "title": "tab through the weekly timesheet grid",
        "body": (
            "Entering hours in the week grid requires clicking every single cell. Please let Tab "
            "and the arrow keys move between cells like a spreadsheet."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "keyboard-shortcuts",
        "title": "Shortcut cheat sheet overlay",
        "body": (
            'If shortcuts already exist I couldn\'t find them. A "?" overlay listing them would be '
            "nice."
        ),
    },
    {
        "board": "time-tracking",
        "theme": "keyboard-shortcuts",
        "title": "Quick-add entries by typing a sentence",
        "body": (
            'Typing something like "2h acme website design yesterday" and having it parsed into an '
            "entry would be amazing for those of us who log after the fact, without touching the "
            "mouse."
        ),
    },
    # --- invoicing-billing / invoice-currencies ---
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Invoice clients in their own currency",
        "body": (
            "We're based in the UK but half our clients pay in EUR or USD. We need to issue "
            "invoices in the client's currency while still reporting in GBP."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Multi-currency support with exchange rates",
        "body": (
            "Ideally the invoice uses the client currency and Tallyhive stores the exchange rate "
            "from the invoice date, so our revenue numbers still make sense afterwards."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Set a default currency per client",
        "body": (
            "Every time I create an invoice for our Swiss client I have to switch it to CHF. Let "
            "me set it once on the client record."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Hourly rates in more than one currency",
        "body": (
            "Our rate card has a USD and a EUR version. Right now rates are single-currency for "
            "the whole workspace, which doesn't work for us."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Convert foreign-currency revenue in reports",
        "body": (
            "When I look at revenue across clients I see EUR and USD amounts simply added "
            "together. Please convert to our base currency and show the rate used somewhere."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "support for CAD and AUD invoices",
        "body": (
            "Surprised these aren't available yet. We have a few Canadian clients and currently "
            "fake it with a custom text field."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Manually override the exchange rate on an invoice",
        "body": (
            "Our bank gives us a different rate than whatever source you'd use. I'd like to enter "
            "the agreed FX rate by hand on each invoice."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-currencies",
        "title": "Show the total in two currencies on the invoice PDF",
        "body": (
            "Some of our clients' finance teams ask for the total in their currency *and* in ours. "
            "An optional second-currency line would do it."
        ),
    },
    # --- invoicing-billing / retainers ---
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Retainer billing with monthly hour allowances",
        "body": (
            "Most of our clients are on retainers, e.g. 40 hours a month for a fixed fee. We need "
            "to see used vs remaining hours and bill the overage automatically."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Roll over unused retainer hours",
        "body": (
            "Some contracts let unused hours carry into next month (capped at 10h). Tallyhive "
            "should track that balance for us instead of a spreadsheet."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Support prepaid blocks of hours",
        "body": (
            "Clients buy a block of 50 hours upfront. I want to see the balance go down as we log "
            "time against it."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Retainer overview per client",
        "body": (
            "One screen that shows each retainer client, their monthly allowance, hours used so "
            "far and projected overrun. Our account managers would live on this page."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Bill hours beyond the retainer at a different rate",
        "body": (
            "Hours inside the retainer are covered by the fixed fee; anything above it is billed "
            "at €120/h. Right now we calculate this by hand every month for 14 clients."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "retainers that reset each month",
        "body": (
            "need a project type where hours reset on the 1st of every month, instead of creating "
            "a new project each month like we do now (we have 14 of these...)."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Quarterly retainers, not just monthly",
        "body": (
            "A few of our clients have quarterly allowances (120h per quarter). Please support "
            "periods other than a calendar month."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "retainers",
        "title": "Share one retainer allowance across several projects",
        "body": (
            "Our retainer with one client covers three projects (web, SEO, support). The allowance "
            "should be shared across all of them, not tracked per project."
        ),
    },
    # --- invoicing-billing / recurring-invoices ---
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "Recurring invoices for fixed monthly fees",
        "body": (
            "We charge some clients a flat hosting and maintenance fee every month. Would love to "
            "set up an invoice that repeats on its own."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "Schedule invoices to go out automatically",
        "body": (
            "Set it up once — every 1st of the month, send an invoice to client X with these line "
            "items — and forget about it."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "Auto-draft monthly invoices from uninvoiced hours",
        "body": (
            "At the end of each month I create ~30 invoices from uninvoiced time, one per client. "
            "It would be great if Tallyhive drafted all of them for me to review."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "recurring invoice with an end date",
        "body": (
            "Contract runs for 12 months so the repeating invoice should stop after 12 occurrences."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "Repeating invoices should land as drafts first",
        "body": (
            "We'd want recurring invoices created as drafts so someone can double check before "
            "they go out. Sending automatically feels risky."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "Bi-weekly and annual invoice schedules",
        "body": (
            "Not all of our clients are billed monthly. We have a few that are invoiced every two "
            "weeks and one once a year."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "recurring-invoices",
        "title": "Create invoices for all clients in one batch",
        "body": (
            'Month-end invoicing takes our office manager a full day. A batch "invoice all '
            'unbilled time for March" button would be a game changer.'
        ),
    },
    # --- invoicing-billing / expense-tracking ---
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "Track project expenses and add them to invoices",
        "body": (
            "We often pay for stock photos, fonts or travel on behalf of clients. We need to log "
            "these against a project and re-bill them on the invoice."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "Receipt photo upload in the mobile app",
        "body": (
            "Snap a picture of a receipt, attach it to an expense, done. Right now our receipts "
            "end up in a shoebox."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "Markup on rebillable costs",
        "body": (
            "We add 15% handling to third-party costs. It would be great to configure a markup "
            "percentage per client."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "expenses should count towards project budgets",
        "body": (
            "Project budgets only count hours, but our projects also have hard costs (print, ads, "
            "licences). Those need to be included."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "Mileage tracking for site visits",
        "body": (
            "Our consultants drive to client sites a lot. A mileage entry (km x rate) that can be "
            "billed or reimbursed would be super useful."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "Seperate billable and non-billable expenses",
        "body": (
            "Some expenses we eat ourselves, some we pass on to the client. Need a billable flag "
            "like we already have for time."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "expense-tracking",
        "title": "Expense categories and reimbursement approval",
        "body": (
            "Travel, software, hardware, meals... and ideally a manager approves an expense before "
            "it is reimbursed."
        ),
    },
    # --- invoicing-billing / online-payments ---
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "Stripe integration for invoice payments",
        "body": (
            'Let clients pay invoices by card through a "Pay now" link. We\'d happily eat the '
            "Stripe fees to get paid faster."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "Pay now button on emailed invoices",
        "body": (
            "Our clients keep asking how they can pay online. A payment link in the invoice email "
            "would definately cut our days-to-pay."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "Accept SEPA direct debit via GoCardless",
        "body": (
            "Card payments are expensive for large invoices. Most of our EU clients would rather "
            "pay by direct debit."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "PayPal as a payment option",
        "body": (
            "A lot of our smaller and overseas clients prefer PayPal. Please add it next to card "
            "payments."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "Mark invoices paid automatically when the money arrives",
        "body": (
            "If someone pays online, the invoice should switch to **Paid** on its own. I don't "
            "want to reconcile by hand."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "Pass card processing fees on to the client",
        "body": (
            "An optional surcharge for card payments would be nice (where it's legal). Otherwise "
            "we lose ~3% on every card payment."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "online-payments",
        "title": "ACH payments for US clients",
        "body": (
            "Our US clients want to pay via ACH bank transfer. Stripe supports it, so hopefully "
            "not a big lift?"
        ),
    },
    # --- invoicing-billing / invoice-templates ---
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Custom invoice templates with our branding",
        "body": (
            "The current layout is fine but we need our own look — fonts, colours, and a footer "
            "with bank details and company registration number."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Upload our logo in higher resolution",
        "body": (
            "The logo on invoice PDFs looks blurry. Please allow SVG, or at least a bigger PNG."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Hide hours on the invoice and only show amounts",
        "body": (
            "For fixed-price clients we don't want to show the hour breakdown. A toggle to show or "
            "hide quantities and rates per invoice, please."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "group invoice lines by task instead of by person",
        "body": (
            "Clients don't care who did the work, they care what was done. An option to group line "
            "items by task or project would be much better."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Invoices in French, German and Spanish",
        "body": (
            'We invoice clients across Europe and they expect the labels ("Invoice", "Due date", '
            '"Total") in their own language.'
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Custom fields on invoices for PO numbers",
        "body": (
            "Several of our enterprise clients reject invoices without a purchase order number. "
            "Please add a PO field, or better yet arbitrary custom fields."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Attach a detailed timesheet to the invoice PDF",
        "body": (
            "Clients want the breakdown of who did what and when. An option to append the detailed "
            "time log as extra pages would be perfect."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "invoice-templates",
        "title": "Custom invoice numbering format",
        "body": (
            "We need invoice numbers like TH-2025-0042 that reset every year. The plain sequential "
            "numbers don't match our accounting system."
        ),
    },
    # --- invoicing-billing / tax-vat ---
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "Multiple tax rates on one invoice",
        "body": (
            "Some line items are 20% VAT, some are zero-rated. Right now we can only apply a "
            "single tax rate to the whole invoice."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "EU reverse charge VAT",
        "body": (
            "When we invoice businesses in other EU countries we need the reverse-charge wording "
            "and 0% VAT. Currently we edit the PDF by hand. Yes, really."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "Compound taxes (GST + PST)",
        "body": (
            "We're in British Columbia and need GST and PST both applied properly on invoices. "
            "Would love support for two taxes per line."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "sales tax based on client location",
        "body": (
            "tax depends on where the client is based, not where we are. A default tax rate per "
            "client would solve 90% of it."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "Option for tax-inclusive prices on invoices",
        "body": (
            "Some of our Australian clients expect prices to include GST. Option to show rates as "
            "tax-inclusive please."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "Withholding tax (IRPF) deduction on invoices",
        "body": (
            "In Spain freelancers have to deduct 15% IRPF from invoices to businesses. We need a "
            "negative tax line for that."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "tax-vat",
        "title": "VAT summary for quarterly returns",
        "body": (
            "At quarter end I need the total VAT charged per rate. Currently I add up invoices "
            "manually in Excel every three months."
        ),
    },
    # --- invoicing-billing / payment-reminders ---
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "Automatic reminders for overdue invoices",
        "body": (
            "Chasing late payments is the worst part of my job. Please send a polite reminder "
            "automatically 3 days after the due date, and again after 10 days."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "Let us write our own dunning emails",
        "body": (
            "We want to write our own reminder text and tone — friendly at first, firmer later."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "Late payment fees on overdue invoices",
        "body": (
            "Our terms include a 2% monthly late fee. Would love Tallyhive to add this to overdue "
            "invoices, optionally."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "see which invoices are overdue at a glance",
        "body": (
            'The invoice list should highlight overdue invoices and let me filter by "overdue". '
            "Sounds basic but it's not there."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "Courtesy email before an invoice is due",
        "body": (
            'A friendly "your invoice is due in 5 days" email would help the clients who genuinely '
            "just forget."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "Statement of account for each client",
        "body": (
            "A single PDF showing all open invoices and payments for one client, so we can attach "
            "it when we chase them."
        ),
    },
    {
        "board": "invoicing-billing",
        "theme": "payment-reminders",
        "title": "Record partial payments and chase the remainder",
        "body": (
            "Clients sometimes pay in two instalments. I need to record a partial payment, see the "
            "outstanding balance, and have follow-up emails mention the remaining amount."
        ),
    },
    # --- reports-budgets / budget-alerts ---
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Email alert when a project reaches 80% of budget",
        "body": (
            "We always find out we're over budget after the fact. An alert at 50/80/100% would let "
            "PMs talk to the client before it's too late."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Budget warnings posted in the project's Slack channel",
        "body": (
            "When a project has almost used up its budget, post a heads-up in the linked Slack "
            "channel so the whole team sees it."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "budget alerts per phase not just per project",
        "body": (
            "our projects have phases (discovery, design, build) each with their own budget. "
            "alerts should work at that level."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Warn me when a project is burning faster than planned",
        "body": (
            'Not just "you\'ve hit 80%", but "at this pace you\'ll run out of budget two weeks '
            'before the deadline". Forecast-based warnings would be gold.'
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Alerts on money budgets, not only hours",
        "body": (
            "We budget in money because people have different rates. Alerts should trigger on the "
            "billable amount too."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Show team members that a budget is nearly spent",
        "body": (
            "Our devs keep logging time into projects that are already over budget because they "
            "can't see it. A warning banner when starting a timer would help."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Configurable alert thresholds per project",
        "body": (
            "Let me pick the percentages per project — some clients are strict so we want to know "
            "at 60%, for others we only care at 100%."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "budget-alerts",
        "title": "Over-budget notification for monthly budgets",
        "body": (
            "For ongoing projects we have a budget that resets monthly (e.g. 25 hours). The alert "
            "should fire again each month instead of only once."
        ),
    },
    # --- reports-budgets / csv-export ---
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "Export time entries to CSV",
        "body": (
            "I need raw data to play with in Excel. A simple CSV of all entries with project, "
            "task, user, hours and notes."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "Excel (.xlsx) export for reports",
        "body": (
            "Our finance team refuses to work with CSV because of encoding issues with umlauts. "
            "Native Excel export please."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "Choose which columns go into the export",
        "body": (
            "The export has 25 columns and I need 6. Let me pick and order the columns and save "
            "that as a preset."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "Respect our locale for dates and decimals in exports",
        "body": (
            "We use a comma as decimal separator and DD.MM.YYYY dates. The export always uses US "
            "formats, so Excel mangles everything when we open the file."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "Download a list of invoices as a spreadsheet",
        "body": (
            "For our accountant we need a list of invoices with number, client, date, net, tax, "
            "total and status."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "export everything (full account backup)",
        "body": (
            "would like to be able to download all our data (entries, projects, clients, invoices) "
            "in one go. partly for backups, partly for peace of mind."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "Export durations as decimal hours instead of hh:mm",
        "body": (
            "The export gives durations like 1:45, which Excel doesn't sum properly. Please add an "
            "option for decimal hours (1.75)."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "csv-export",
        "title": "PDF export of detailed reports",
        "body": (
            "Sometimes I just need a nicely formatted PDF of a report to attach to an email. "
            "Export to PDF alongside CSV would be great."
        ),
    },
    # --- reports-budgets / scheduled-reports ---
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "Email a weekly summary report every Monday",
        "body": (
            "I'd like a saved report emailed to me and my business partner every Monday morning: "
            "hours by client, billable %, top projects."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "Scheduled report delivery to clients",
        "body": (
            "Some clients want a weekly breakdown of the hours we spent. Would be great to "
            "schedule a report to go out to them automatically."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "Save report filters as named reports",
        "body": (
            "Every time I open reports I recreate the same filters. Let me save a configuration, "
            "give it a name and have it delivered on a schedule."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "monthly utilization report by email",
        "body": (
            "At the start of each month, send me last month's utilization per team member. That's "
            "the one number I actually look at."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "Daily digest email for project managers",
        "body": (
            "A short email each morning: hours logged yesterday on my projects, by whom, and "
            "anything that looks off."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "Send recurring reports to Slack instead of email",
        "body": (
            "Our leadership team doesn't read report emails but they do read Slack. A weekly "
            "summary posted to a channel would work much better."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "scheduled-reports",
        "title": "Nightly CSV delivered by email for our BI team",
        "body": (
            "Our BI team wants a CSV dropped in their inbox every night so they can import it. "
            "Having that sent automatically would save me exporting it by hand."
        ),
    },
    # --- reports-budgets / profitability ---
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Cost rates per employee to calculate profit",
        "body": (
            "We know what we bill, but not what each project costs us. Add internal cost rates per "
            "person so we can see margin per project."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Project profitability report with margin per project",
        "body": (
            "Revenue minus cost (labour + expenses) per project, with margin %. This is the report "
            "our partners ask me for every month, and I build it in Excel."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Which clients actually make us money?",
        "body": (
            "A report showing margin per client over the last 12 months would be very eye-opening. "
            "We bill 40 people across 12 clients and I honestly couldn't tell you which ones are "
            "profitable."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Include salaried staff cost in margins",
        "body": (
            "Our employees are salaried, not hourly. We'd need to enter annual salary plus "
            "overhead and have Tallyhive derive an hourly cost."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Effective hourly rate on fixed-price projects",
        "body": (
            "For fixed-fee work I want to see revenue ÷ hours spent. It tells us immediately which "
            "projects we underquoted."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "margin column in the projects list",
        "body": (
            "just a margin % next to each project in the list would be enough for me to spot the "
            "problem ones."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Cost rate history with effective dates",
        "body": (
            "When someone gets a raise their cost rate changes, but that shouldn't rewrite last "
            "year's margins. Rates need effective dates."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "profitability",
        "title": "Compare billable value with what was actually invoiced",
        "body": (
            "We write off a lot of time. A report showing the value of logged billable hours vs "
            "what really got invoiced would show how much we leave on the table."
        ),
    },
    # --- reports-budgets / capacity-planning ---
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "Resource planning and capacity view",
        "body": (
            "We need to see who is booked on what for the next few weeks and who has spare "
            "capacity. Currently we use a separate tool and it never matches our actual time."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "Schedule people on projects for upcoming weeks",
        "body": (
            'Let PMs allocate e.g. "Maria, 20h/week on the Acme redesign for 4 weeks" and see that '
            "against her availability."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "forecast utilization for next month",
        "body": (
            "based on allocations and leave, what's our expected utilization next month? would "
            "help us decide when to hire."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "Team capacity heatmap for the next few weeks",
        "body": (
            "A grid of people x weeks, green when there's room, red when someone is overbooked. "
            "That one view would replace our whole planning spreadsheet."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "Set weekly working hours per person",
        "body": (
            "Planning needs to know that Tom works 4 days and Aisha works 30h. Per-person weekly "
            "capacity please."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "Tentative bookings for pipeline work",
        "body": (
            "We'd like to pencil people in for deals that aren't signed yet, shown differently "
            "from confirmed work."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "capacity-planning",
        "title": "Drag and drop scheduling timeline",
        "body": (
            "Something like a timeline where I can drag someone's allocation to another week — "
            "Float or Resource Guru style."
        ),
    },
    # --- reports-budgets / client-report-sharing ---
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "Share a read-only report link with clients",
        "body": (
            "Instead of exporting a PDF every week, I want to send clients a link to a live report "
            "covering only their project."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "Client portal to view hours and invoices",
        "body": (
            "Give each client a login (or magic link) where they can see hours spent on their "
            "projects, plus their invoices and payments."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "Hide internal notes from client-facing reports",
        "body": (
            'Some of our entry notes are not for client eyes ("fixing our own mistake" etc). We '
            "need to control which fields are visible when sharing."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "Password-protected shared report links",
        "body": (
            "If we share report links they should be protected, or at least expire. Some of our "
            "clients are in healthcare and very sensitive about this."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "branded reports we can send to clients",
        "body": (
            "Our logo and colours on the reports we send clients, please. The Tallyhive-branded "
            "PDF makes it look like we're reselling a tool."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "Let clients sign off hours in the shared view",
        "body": (
            "A couple of enterprise clients want to confirm the hours each month before we bill. "
            "It'd be great if they could do that right from the link we send them."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "client-report-sharing",
        "title": "Show remaining retainer hours on the client's page",
        "body": (
            "Clients constantly ask how many hours they have left. If the page we share with them "
            "showed the remaining balance, we'd skip a lot of back-and-forth."
        ),
    },
    # --- reports-budgets / estimates-vs-actuals ---
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "Add time estimates to tasks",
        "body": (
            "Let us enter an estimate on each task so we can compare it with the time actually "
            "logged."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "Estimated vs actual hours report",
        "body": (
            "After each project we do a retro. A report of estimated vs actual hours per task and "
            "phase would make our future quotes much better."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "Show estimate progress when starting a timer",
        "body": (
            "When I start a timer on a task, show how much of the estimate is already used (e.g. "
            "6.5h / 8h)."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "Import task estimates from our quote spreadsheet",
        "body": (
            "We already estimate projects in a spreadsheet when quoting. Importing those numbers "
            "as task estimates would save retyping everything."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "Estimation accuracy per team member",
        "body": (
            "Would be interesting (and a little scary) to see who consistently under-estimates. It "
            "would help us coach junior people."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "estimates per role on a task",
        "body": (
            "A task might need 10h of design and 20h of dev. Estimates at the person or role level "
            "would be more useful than a single number."
        ),
    },
    {
        "board": "reports-budgets",
        "theme": "estimates-vs-actuals",
        "title": "Use past projects to help estimate new ones",
        "body": (
            "When I create a project similar to an old one, show me how long similar tasks took in "
            "the past so I stop guessing."
        ),
    },
    # --- integrations / jira-sync ---
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Jira integration: log time against Jira issues",
        "body": (
            "Our devs live in Jira. Please let them start a Tallyhive timer from an issue and have "
            "the worklog synced back."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Two-way worklog sync with Jira",
        "body": (
            "Time logged in Tallyhive should appear as Jira worklogs, and worklogs added in Jira "
            "should show up in Tallyhive. Right now our devs log everything twice."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Map Jira projects to Tallyhive clients automatically",
        "body": (
            "Setting up the mapping by hand for 50 Jira projects isn't realistic. Some rules based "
            "on the Jira project key would help a lot."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Start timer button inside the Jira issue view",
        "body": (
            'A "Start timer" button right on the ticket, like other trackers have. Copy-pasting '
            "issue keys gets old fast."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "jira data center support",
        "body": (
            "we're on Jira Data Center (self-hosted), not cloud. the current integration doesn't "
            "work for us at all."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Show the Jira issue summary in time entries",
        "body": (
            "When an entry is linked to PROJ-1234 I want to see the issue title in reports, not "
            "just the key."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Roll up hours by Jira epic",
        "body": (
            "Our clients think in epics. Being able to report hours per epic (through the Jira "
            "link) would make client reporting trivial."
        ),
    },
    {
        "board": "integrations",
        "theme": "jira-sync",
        "title": "Pull Jira sprints into Tallyhive for sprint reporting",
        "body": (
            "We'd love each Jira sprint to come across automatically so we can report hours per "
            "sprint without tagging entries by hand."
        ),
    },
    # --- integrations / github-integration ---
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "GitHub integration for issues and pull requests",
        "body": (
            "Similar to the Jira integration, but for GitHub issues. Many of our smaller clients "
            "use GitHub Projects instead of Jira."
        ),
    },
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "Start a timer from a GitHub issue",
        "body": (
            "A browser extension button on GitHub issues and PRs that starts a timer with the "
            "issue title as the description."
        ),
    },
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "Link commits to time entries",
        "body": (
            "If I reference an issue in a commit, it'd be neat if the time entry showed the "
            "related commits. Good evidence for clients who question hours."
        ),
    },
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "GitLab support please, including self-hosted",
        "body": (
            "Please don't forget GitLab! We self-host it and would love the same kind of "
            "integration Jira users get."
        ),
    },
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "Suggest time entries from my GitHub activity",
        "body": (
            "At the end of the day show me which repos and PRs I worked on so I can quickly turn "
            "them into entries."
        ),
    },
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "github projects sync with tallyhive tasks",
        "body": "Map GitHub Projects to Tallyhive projects and keep issues in sync as tasks.",
    },
    {
        "board": "integrations",
        "theme": "github-integration",
        "title": "Bitbucket integration for Atlassian shops",
        "body": (
            "Our agency is an Atlassian shop and uses Bitbucket. Would be great to link time to "
            "Bitbucket issues and pull requests."
        ),
    },
    # --- integrations / slack-bot ---
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "Start and stop timers from Slack",
        "body": (
            "A slash command like `/tally start Acme - homepage` would be perfect, since we're in "
            "Slack all day anyway."
        ),
    },
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "Set my Slack status while a timer runs",
        "body": (
            'Automatically set my Slack status to "🎯 Focusing" while a timer is running, and '
            "clear it when I stop. Optional, obviously."
        ),
    },
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "Log time from Slack with a quick command",
        "body": (
            "`/tally log 1.5h design review` — and if the project is unclear, the bot asks me "
            "which one."
        ),
    },
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "Microsoft Teams app too, please",
        "body": (
            "We're a Microsoft shop. Everything you're building for Slack we'd need in Teams as "
            "well."
        ),
    },
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "Check today's hours from Slack",
        "body": "`/tally today` showing what I've logged so far would be really handy.",
    },
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "Turn a Slack message into a time entry",
        "body": (
            'Message shortcut: "Log time" with the message text as the description. Half our '
            "client work comes in through shared Slack channels."
        ),
    },
    {
        "board": "integrations",
        "theme": "slack-bot",
        "title": "proper slack integration please",
        "body": (
            "would love to use tallyhive without leaving slack. starting timers and logging time "
            "is 90% of what i do in it."
        ),
    },
    # --- integrations / accounting-sync ---
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Sync invoices to QuickBooks Online",
        "body": (
            "Right now I re-enter every invoice in QuickBooks. Please push invoices (and payments) "
            "over automatically."
        ),
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Xero integration for invoices and contacts",
        "body": (
            "Invoices created in Tallyhive should appear in Xero with the right contact, account "
            "codes and tax rates."
        ),
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Map line items to QuickBooks products and services",
        "body": (
            "The QuickBooks sync puts everything under a single income account. We need to map "
            "tasks to different products/services for our revenue reporting."
        ),
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Sync payments back from Xero",
        "body": (
            "When a payment is reconciled in Xero, the invoice should be marked paid in Tallyhive "
            "too. Two places to mark something paid is one too many."
        ),
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Support QuickBooks Desktop, not only Online",
        "body": (
            "Many of our accounting-side partners are still on QuickBooks Desktop. Even an IIF "
            "export would be a start."
        ),
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "sage / freeagent integration",
        "body": "UK agencies use FreeAgent and Sage a lot. Xero and QBO aren't the only options!",
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Import clients from Xero instead of creating them twice",
        "body": (
            "Creating each client once here and once in Xero leads to mismatched names. Import and "
            "sync contacts please."
        ),
    },
    {
        "board": "integrations",
        "theme": "accounting-sync",
        "title": "Push expenses to accounting software as bills",
        "body": (
            "Approved expenses should go to QuickBooks or Xero as bills or expense claims, with "
            "the receipt attached."
        ),
    },
    # --- integrations / calendar-import ---
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "Turn Google Calendar events into time entries",
        "body": (
            "Half my day is meetings. I want to see my calendar next to my timesheet and click an "
            "event to convert it into an entry."
        ),
    },
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "Outlook / Microsoft 365 calendar integration",
        "body": (
            "Same as the Google Calendar request, but for Outlook. Most of our enterprise "
            "consultants are on 365."
        ),
    },
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "Show my meetings in the day view",
        "body": (
            "Just displaying my calendar events alongside my logged time would help me fill in the "
            "gaps."
        ),
    },
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "Suggest the project for a meeting based on attendees",
        "body": (
            "If a meeting includes someone from @acme.com, suggest the Acme project. That would "
            "make the calendar import almost automatic."
        ),
    },
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "Write my time entries to a calendar",
        "body": (
            "Other direction: put my logged time on a separate Google calendar so I can see at a "
            "glance where the week went."
        ),
    },
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "iCal / CalDAV feed support",
        "body": (
            "We use Fastmail. A generic iCal or CalDAV subscription would cover everyone who isn't "
            "on Google or Microsoft."
        ),
    },
    {
        "board": "integrations",
        "theme": "calendar-import",
        "title": "ignore declined and all-day events when importing",
        "body": (
            'tried the calendar import and it pulled in events I had declined and "out of office" '
            "all-day blocks. needs some filtering."
        ),
    },
    # --- integrations / api-webhooks ---
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "Webhooks for time entry created / updated / deleted",
        "body": (
            "We want to push time data into our own data warehouse in near real time. Webhooks on "
            "entry changes would make that possible."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "Public REST API documentation",
        "body": (
            "Is there an official API? I found some endpoints in the network tab but nothing "
            "documented."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "Webhook when an invoice is paid",
        "body": (
            "We'd trigger our own automations when invoices get paid. A webhook for invoice status "
            "changes please."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "API endpoint for aggregated report data",
        "body": (
            "Fetching raw entries and re-aggregating them is slow. An endpoint that returns report "
            "totals (by project or user) would be great."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "Personal access tokens with scopes",
        "body": (
            "I want to give a script read-only access to time entries without handing over my "
            "whole account. Scoped tokens please."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "Higher API rate limits or bulk endpoints",
        "body": (
            "We sync 60 users every 10 minutes and regularly hit the rate limit. Either raise it "
            "or add bulk endpoints."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "More Zapier triggers and actions",
        "body": (
            'The Zapier app only has "new time entry". We\'d like triggers for new client, new '
            "project and invoice sent, and an action to create projects."
        ),
    },
    {
        "board": "integrations",
        "theme": "api-webhooks",
        "title": "Official Python and JavaScript SDKs",
        "body": (
            "Not essential, but an official client library would save everyone writing the same "
            "pagination and auth code."
        ),
    },
    # --- integrations / asana-clickup ---
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "Timer button inside Asana tasks",
        "body": (
            "We manage projects in Asana. Would love a timer button on Asana tasks and the task "
            "names pulled into Tallyhive."
        ),
    },
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "ClickUp time tracking sync",
        "body": (
            "ClickUp has its own time tracking, but our invoicing happens in Tallyhive. Syncing "
            "the two would save a lot of double entry."
        ),
    },
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "Trello power-up for starting timers",
        "body": (
            "Start timers from Trello cards, please. Many of our smaller clients still run "
            "everything on Trello."
        ),
    },
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "Log time against Linear issues",
        "body": (
            "Our product team moved to Linear. Would be great to log time against Linear issues "
            "directly."
        ),
    },
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "Track time on Monday.com board items",
        "body": (
            "Our ops team lives in Monday.com boards. An integration to track time per item would "
            "help them a lot."
        ),
    },
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "Import project structure from Asana",
        "body": (
            "When we kick off a project in Asana, I'd like its sections and tasks to appear in "
            "Tallyhive automatically so people can log against them."
        ),
    },
    {
        "board": "integrations",
        "theme": "asana-clickup",
        "title": "Link time entries to Notion database pages",
        "body": (
            "We track client work in Notion databases. A way to link entries to Notion pages, or a "
            "timer button via an embed, would be lovely."
        ),
    },
    # --- integrations / payroll-export ---
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "Export approved hours to Gusto",
        "body": (
            "We pay hourly staff from the hours in Tallyhive. A Gusto integration that pushes "
            "approved hours each pay period would remove a lot of manual work."
        ),
    },
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "Push hours to ADP payroll",
        "body": "Same as others asking for payroll — we use ADP.",
    },
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "Payroll report that matches our pay periods",
        "body": (
            "A report aligned with semi-monthly pay periods (1st-15th, 16th-end) showing regular "
            "and overtime hours per person."
        ),
    },
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "Contractor payouts based on logged hours",
        "body": (
            "We pay freelancers monthly: approved hours x their rate. A payout report, or a Deel / "
            "Wise integration, would make this painless."
        ),
    },
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "DATEV export for German payroll",
        "body": "German payroll providers use DATEV. An export in that format would help us a lot.",
    },
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "Send timesheets to Xero Payroll",
        "body": (
            "Xero Payroll (AU/NZ/UK) supports timesheets. Push approved hours there so we can run "
            "pay runs directly."
        ),
    },
    {
        "board": "integrations",
        "theme": "payroll-export",
        "title": "Paychex integration for hourly staff",
        "body": (
            "Paychex integration please. We're currently retyping every timesheet into Paychex for "
            "18 hourly staff."
        ),
    },
    # --- mobile-desktop / offline-mobile ---
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "Offline mode for the mobile app",
        "body": (
            "Our field consultants are often on sites with no signal. The app should let them "
            "track time offline and sync when they're back online."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "Timer keeps running without internet",
        "body": (
            "I started a timer on the train, went through a tunnel, and the app showed an error "
            "and lost the entry. The timer should work without a connection."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "Queue entries while offline and upload later",
        "body": "Let me add entries on a plane and have them upload when I land.",
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "Desktop app should work offline too",
        "body": (
            "Working from a cabin with patchy wifi last week, the desktop app was useless. "
            "Local-first please!"
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "Handle sync conflicts after offline edits",
        "body": (
            "If I edit the same entry on my phone while offline and on the web, make it clear "
            "which one wins, or let me choose."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "show the sync status in the app",
        "body": (
            "when i'm offline i have no idea if my entries were saved. a little \"3 entries "
            'waiting to sync" indicator would be reassuring.'
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "Cache projects and tasks for use without a connection",
        "body": (
            "Even with no signal I need to pick a project and task. Currently the project list is "
            "just empty when there's no connection."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "offline-mobile",
        "title": "App is unusable on construction sites with no reception",
        "body": (
            "We're an engineering consultancy and half our time is spent on sites with zero "
            "reception. People write hours on paper and type them in later, which is exactly what "
            "we bought Tallyhive to avoid."
        ),
    },
    # --- mobile-desktop / dark-mode ---
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "Please give us a dark mode",
        "body": "My eyes are begging you.",
    },
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "Dark theme for the web app",
        "body": (
            "I work late and the bright white timesheet is blinding. A dark theme, ideally "
            "following the OS setting, would be great."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "Follow system appearance in the macOS app",
        "body": (
            "The rest of my Mac switches to dark at sunset; Tallyhive stays bright white. Please "
            "respect the system setting."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "dark mode on mobile",
        "body": "iOS app ignores dark mode. Every other app on my phone supports it.",
    },
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "can we get a night theme please!!",
        "body": (
            "Everything else I use has a dark theme now. Tallyhive is the last glaring window on "
            "my second monitor at 11pm."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "Light / dark / auto toggle in preferences",
        "body": (
            "Not everyone wants it to follow the OS. A simple three-way switch in the profile "
            "settings would cover everyone."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "dark-mode",
        "title": "Dark UI option for the desktop timer window",
        "body": (
            "The little timer window sits on top of my dark IDE all day and it's like a "
            "flashlight. Even just a dark version of that window would help."
        ),
    },
    # --- mobile-desktop / linux-desktop ---
    {
        "board": "mobile-desktop",
        "theme": "linux-desktop",
        "title": "Native desktop app for Linux",
        "body": (
            "Most of our developers use Ubuntu. The web app works, but we miss the desktop "
            "features like the global timer."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "linux-desktop",
        "title": "Official AppImage or Flatpak build",
        "body": (
            "Can you publish an AppImage or Flatpak? The desktop app is Electron anyway, right?"
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "linux-desktop",
        "title": "RPM packages for Fedora",
        "body": (
            "If there's going to be a Linux build please include an RPM. Half our dev team is on "
            "Fedora."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "linux-desktop",
        "title": "linux tray icon with the running timer",
        "body": (
            "on linux the only way to see my timer is keeping a browser tab open. a tray icon "
            "showing the running timer would be ideal."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "linux-desktop",
        "title": "Make sure the Linux app works under Wayland",
        "body": (
            "If and when a Linux version happens, please test it on Wayland — tray icons and "
            "global shortcuts are often broken there."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "linux-desktop",
        "title": "Linux version please, we're 30 engineers on Linux",
        "body": (
            "We'd happily beta test. We're a 30-person dev shop and everyone runs Linux; the "
            "missing desktop client is the main complaint about Tallyhive internally."
        ),
    },
    # --- mobile-desktop / gps-geofencing ---
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "Automatic clock-in when arriving at a client site",
        "body": (
            "Geofencing: when I arrive at a client's office, start a timer for that client, and "
            "stop it when I leave."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "Record GPS location on mobile time entries",
        "body": (
            "For on-site work we need proof of location. Capture where a timer was started on "
            "mobile (with consent, of course)."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "Location-based reminder when on site without a timer",
        "body": "If I'm at a client's site but nothing is running, remind me to start tracking.",
    },
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "geofences per client address",
        "body": (
            "Set an address + radius on each client and let the app suggest the right project when "
            "I'm there."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "Location tracking must be opt-in per employee",
        "body": (
            "If you add GPS features, they need to be optional per user — our works council will "
            "insist on it."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "Map of where on-site hours were logged",
        "body": (
            "Our field service manager wants to see on a map where the on-site hours were recorded "
            "this week."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "gps-geofencing",
        "title": "Log travel time between client locations automatically",
        "body": (
            "Our consultants drive between 3-4 client sites a day. Automatically logging the "
            "travel between known locations would be really helpful."
        ),
    },
    # --- mobile-desktop / home-widgets ---
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "iOS home screen widget with the running timer",
        "body": (
            "I'd love to see and stop the current timer from my home screen without opening the "
            "app."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "Android widget to start a favourite timer",
        "body": "A widget with my 3-4 most used projects so I can start a timer with one tap.",
    },
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "Apple Watch app for timers",
        "body": (
            "Start and stop timers from my wrist. I'm in workshops all day and pulling out my "
            "phone is awkward."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "Live Activity on the lock screen for running timers",
        "body": (
            "iOS Live Activities / Dynamic Island would be perfect for showing the running timer "
            "without unlocking."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "menu bar timer on mac",
        "body": (
            "The desktop app window is too big to keep open. A compact menu bar item showing the "
            "timer plus a quick project switcher, please."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "Support Siri and the Shortcuts app",
        "body": (
            '"Hey Siri, start Tallyhive timer for Acme" — and being able to use it in Shortcuts '
            "automations."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "home-widgets",
        "title": "Wear OS tile with today's hours",
        "body": (
            "Android watch users exist too! A tile showing today's hours and the running timer."
        ),
    },
    # --- mobile-desktop / mobile-week-view ---
    {
        "board": "mobile-desktop",
        "theme": "mobile-week-view",
        "title": "Weekly timesheet view on mobile",
        "body": (
            "The mobile app only shows one day at a time. I want to see and edit my whole week on "
            "my phone."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "mobile-week-view",
        "title": "Edit past entries in the mobile app",
        "body": (
            "I can only edit today's entries on mobile. Fixing last Tuesday's hours means opening "
            "my laptop."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "mobile-week-view",
        "title": "Proper iPad layout for timesheets",
        "body": (
            "On iPad the app is just the phone UI stretched out. A real tablet layout with the "
            "weekly grid would be great."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "mobile-week-view",
        "title": "Duplicate an entry on mobile",
        "body": "A quick way to copy yesterday's entry (same project, task and notes) in the app.",
    },
    {
        "board": "mobile-desktop",
        "theme": "mobile-week-view",
        "title": "mobile app is missing half the web features",
        "body": (
            "can't add tasks, can't see the week, can't edit tags. feels like a demo app. please "
            "bring it closer to the web version."
        ),
    },
    {
        "board": "mobile-desktop",
        "theme": "mobile-week-view",
        "title": "Swipe actions on mobile entries",
        "body": (
            "Small thing: swipe left to delete, swipe right to duplicate. Tapping into every entry "
            "is slow."
        ),
    },
    # --- admin-security / sso-saml ---
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "SAML single sign-on with Okta",
        "body": (
            "Our security policy requires all SaaS tools to go through Okta. Without SAML SSO we "
            "can't roll Tallyhive out beyond our pilot team."
        ),
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "Microsoft Entra ID (Azure AD) login",
        "body": (
            "We're a Microsoft shop. Login through Entra ID, via SAML or OIDC, is a hard "
            "requirement from IT."
        ),
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "SCIM user provisioning and deprovisioning",
        "body": (
            "When someone leaves, IT disables them in Okta — they should lose access to Tallyhive "
            "automatically. SCIM would handle that."
        ),
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "Enforce SSO for everyone on our domain",
        "body": (
            "Once SSO is on, we want to disable password logins entirely for @ourcompany addresses."
        ),
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "Sign in with Google Workspace",
        "body": '"Sign in with Google" at minimum. Our team has way too many passwords already.',
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "SSO shouldn't be enterprise-only",
        "body": (
            "Please don't lock SSO behind the top plan. We're a 15-person agency and our clients' "
            "security questionnaires require it."
        ),
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "Just-in-time account creation on first SSO login",
        "body": (
            "New employees logging in through our identity provider for the first time should get "
            "an account automatically with a default role."
        ),
    },
    {
        "board": "admin-security",
        "theme": "sso-saml",
        "title": "JumpCloud and OneLogin compatibility",
        "body": (
            "If you build SAML, please test it with JumpCloud too — that's what we use, and half "
            'the "SAML support" out there breaks with it.'
        ),
    },
    # --- admin-security / audit-log ---
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "Audit log of changes to time entries",
        "body": (
            "We need to know who changed what and when, especially when hours are edited after "
            "approval. It's required by some of our government clients."
        ),
    },
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "Activity history on invoices",
        "body": (
            "Who created, edited, sent and marked this invoice as paid? An activity trail on each "
            "invoice would help a lot."
        ),
    },
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "Admin audit trail for settings and permissions",
        "body": (
            "Log changes to users, roles, rates and workspace settings. Our SOC 2 auditor "
            "specifically asked for this."
        ),
    },
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "Export the audit log for compliance reviews",
        "body": (
            "Our compliance team wants to pull all recorded changes for a given period into a file "
            "they can archive."
        ),
    },
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "see previous versions of a time entry",
        "body": (
            "someone changed an entry from 6h to 2h and nobody knows who. version history on "
            "entries please."
        ),
    },
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "Log sign-ins, failed attempts and IP addresses",
        "body": (
            "For security reviews we need a record of logins, failed attempts and the IPs they "
            "came from."
        ),
    },
    {
        "board": "admin-security",
        "theme": "audit-log",
        "title": "Keep audit history for at least 12 months",
        "body": (
            "If you add an activity log, please retain at least a year of it — that's what our "
            "auditors require."
        ),
    },
    # --- admin-security / custom-roles ---
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Custom roles and permissions",
        "body": (
            "The built-in roles (Admin, Manager, Member) are too coarse. We need to define our own "
            "roles with specific permissions."
        ),
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Hide billable rates from regular team members",
        "body": (
            "Our juniors shouldn't see what we charge clients per hour. Right now anyone who can "
            "see a project sees the rates."
        ),
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Project managers should only see their own projects",
        "body": "PMs need reports for their projects, but they shouldn't see company-wide revenue.",
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Read-only role for our finance people",
        "body": (
            "Our accountant needs to see invoices and reports, but must not be able to edit "
            "anything or see individual cost rates."
        ),
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "restrict who can create clients and projects",
        "body": (
            'people keep creating duplicate clients ("ACME", "Acme Ltd", "Acme inc."). only '
            "admins/ops should be able to create them."
        ),
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Let team leads edit their team's entries",
        "body": (
            "Team leads should be able to fix their team's timesheets without being made full "
            "admins."
        ),
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Limit visibility to each department's data",
        "body": (
            "We have three departments (design, dev, strategy). Department heads should see their "
            "own department's data and nothing else."
        ),
    },
    {
        "board": "admin-security",
        "theme": "custom-roles",
        "title": "Separate permissions for drafting and sending invoices",
        "body": (
            "Some staff should be able to prepare invoices, but only partners should be allowed to "
            "send them to clients."
        ),
    },
    # --- admin-security / two-factor ---
    {
        "board": "admin-security",
        "theme": "two-factor",
        "title": "Add two-factor authentication to logins",
        "body": (
            "Please add 2FA with an authenticator app. We store client billing data in Tallyhive "
            "and password-only logins make our insurer nervous."
        ),
    },
    {
        "board": "admin-security",
        "theme": "two-factor",
        "title": "Enforce 2FA for the whole workspace",
        "body": (
            "Being able to turn on 2FA isn't enough; admins need to be able to require it for "
            "everyone."
        ),
    },
    {
        "board": "admin-security",
        "theme": "two-factor",
        "title": "Hardware security keys (WebAuthn / YubiKey)",
        "body": "YubiKey support would be great, at least for our admins.",
    },
    {
        "board": "admin-security",
        "theme": "two-factor",
        "title": "2fa recovery codes for lost phones",
        "body": (
            "If 2FA gets added, please include recovery codes so people don't get locked out when "
            "they lose their phone."
        ),
    },
    {
        "board": "admin-security",
        "theme": "two-factor",
        "title": "Passkeys instead of passwords",
        "body": (
            "Passwordless login with passkeys would be lovely. It's supported on all our devices "
            "now."
        ),
    },
    {
        "board": "admin-security",
        "theme": "two-factor",
        "title": "Require a second factor for admins only",
        "body": (
            "Our compromise: force 2FA for admins and finance, keep it optional for everyone else."
        ),
    },
    # --- admin-security / data-residency ---
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "Host our data in the EU",
        "body": (
            "Several of our clients require that data stays in the EU. Is there an option to host "
            "our workspace in Frankfurt or Dublin?"
        ),
    },
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "GDPR data processing agreement and sub-processor list",
        "body": (
            "We need a signed DPA and a list of sub-processors before we can roll out to all 80 "
            "employees."
        ),
    },
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "Retention settings to auto-delete old data",
        "body": (
            "Our policy says time entry notes and personal data must be deleted after 7 years. "
            "We'd like Tallyhive to do that automatically."
        ),
    },
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "Any plans for an Australian data centre?",
        "body": (
            "Government clients in Australia require local data residency. Any plans for an AU "
            "region?"
        ),
    },
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "Erase a former employee's personal data but keep the hours",
        "body": (
            "When someone leaves and asks for erasure under GDPR, we need to anonymise them while "
            "keeping the hours for invoicing history."
        ),
    },
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "Option for UK-only data hosting",
        "body": (
            "Some of our public sector clients want data hosted in the UK specifically, not just "
            '"in Europe".'
        ),
    },
    {
        "board": "admin-security",
        "theme": "data-residency",
        "title": "Choose the data region at signup",
        "body": (
            "Let new workspaces pick US, EU or other regions when they sign up. Moving later is "
            "always harder."
        ),
    },
    # --- admin-security / contractor-seats ---
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "Cheaper seats for occasional contractors",
        "body": (
            "We have freelancers who log 5 hours a month. Paying a full seat for each of them "
            "doesn't make sense."
        ),
    },
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "Pay only for users who actually tracked time",
        "body": "Charge per user who logged time that month, like Slack's fair billing policy.",
    },
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "Free viewer seats for stakeholders",
        "body": "People who only look at reports and never track time shouldn't need a paid seat.",
    },
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "Separate contractor user type",
        "body": (
            "Contractors need a different setup: their own cost rate, no visibility into other "
            "projects, simpler onboarding. A dedicated user type would help."
        ),
    },
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "Deactivate users without losing their history",
        "body": (
            "When a freelancer's contract ends we want to deactivate them (and stop paying) while "
            "keeping all their historical entries."
        ),
    },
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "seat pricing is killing us for seasonal staff",
        "body": (
            "We scale from 20 to 45 people every autumn. Monthly seat adjustments would be a lot "
            "more forgiving than the annual commitment."
        ),
    },
    {
        "board": "admin-security",
        "theme": "contractor-seats",
        "title": "Low-cost guest users limited to a single project",
        "body": (
            "For one-off collaborators, a guest account that can only log time to one project, at "
            "a lower price, would be ideal."
        ),
    },
]

COMMENTS = [
    "+1, this is the one thing keeping us on spreadsheets.",
    "Any update on this? We're renewing in March and it matters.",
    "We worked around it with a Zapier zap but it breaks every few weeks.",
    "Huge +1 from our team of 25.",
    "This would save me about an hour every Friday.",
    "Same here. We evaluated three tools last year and this was the gap in all of them.",
    "Is this on the roadmap at all? Even a rough timeframe would help us plan.",
    "Upvoted. Our ops manager asks me about this every single week.",
    "We'd pay extra for this, honestly.",
    "+1",
    "+1 — surprised this isn't already there.",
    "Would love this. Right now we export everything and fix it in Excel.",
    "This came up again in our quarterly review. Please prioritise!",
    "Agree with everything above. Adding our vote.",
    "We switched from Harvest and this is the one thing we miss.",
    "Any chance of a beta? Happy to test and give feedback.",
    "Our clients have started asking for this too.",
    "Seconding this. It's a dealbreaker for one of our larger clients.",
    "Same problem here, small team of 6 but it still costs us hours each month.",
    "Please! This is the most requested thing on our internal wishlist.",
    "We currently maintain a Google Sheet just to cover this. It's painful.",
    "Upvoting on behalf of our whole finance team.",
    "Not a dealbreaker for us, but it would be really nice to have.",
    "Adding a use case: we have several part-time freelancers and this would help them the most.",
    "Would this also work for archived projects? That's where we'd need it most.",
    "Just wanted to say this is still very much needed.",
    "It's been a while since the last update — any news?",
    "We built a small internal script to do this. Would happily retire it.",
    "Our previous tool had this and people keep asking me where it went.",
    "+1, and please make it available on all plans, not just the top tier.",
    "Yes please. Also important for us that it works on mobile.",
    "Agree. Bonus points if admins can turn it on or off per workspace.",
    "This plus a decent API would cover everything we need.",
    "We just onboarded 12 new people and this would have made it so much easier.",
    "Would be great if this respected existing permissions too.",
    "This is blocking our rollout to the rest of the company.",
    "We're evaluating competitors partly because of this, to be honest.",
    "Thanks for considering it! Happy to jump on a call to explain our workflow.",
    "Does anyone have a decent workaround in the meantime?",
    "Our workaround: a weekly manual check by our office manager. Not fun.",
    "I'd keep it simple at first — even a basic version would help a lot.",
    "Please don't overcomplicate this one, the simple version is what most people need.",
    "Came here to request exactly this. Glad it already exists as an idea.",
    "We have 60+ users and it's a real issue at our size.",
    "Also needed by agencies in the EU, for what it's worth.",
    "Big +1. I'd even settle for it being admin-only for now.",
    "This would make month-end close so much smoother.",
    "Exactly what we need. Our accountant will be thrilled.",
    "Any news? This thread is almost a year old now.",
    "Is there a way to get notified when this ships?",
    "Same request from us, via our account manager a few months ago.",
    "This is a must-have for us before we move our second office over.",
    "Our team lead just asked me to upvote this, so here I am.",
    "We handle this outside Tallyhive right now and things constantly fall out of sync.",
    "Would love to see this, especially for the mobile app.",
    "Adding my vote. We'd use this daily.",
    "Really hope this makes it in this year.",
    "Please consider this for the desktop app as well.",
    "We'd be happy to share anonymised data if it helps you design this.",
    "Following. This would simplify our onboarding a lot.",
    "Honestly surprised it's not a thing yet.",
    "We tried to hack this together with tags. Doesn't really work.",
    "Our auditors flagged this last year. Would really like to see it.",
    "+1 from a 4-person studio. Even small teams need this.",
    "Strong +1. This is the feature I'd pick if I could only pick one.",
    "I'd also love an API for this so we can automate it further.",
    "Yes! We have exactly the same workflow.",
    "Would help a lot with client trust, too.",
    "The current behaviour confuses every new hire we onboard.",
    "We've lost billable hours because of this more than once.",
    "This would finally let us cancel another subscription.",
    "Any plans to support this for multiple workspaces? We run two.",
    "Coming from Toggl, this is one of the things I expected to find.",
    "Just chiming in that this is still a pain point for us.",
    "Good idea. Please keep it configurable though, not every team works the same way.",
    "The sooner the better — our busy season starts in September.",
    "I think this would help larger agencies especially.",
    "We'd love this, but please make sure it doesn't slow down the timesheet page.",
    "Voted. Let me know if you need testers in the APAC time zone.",
    "Is this something we could configure per client?",
    "Thanks for the update earlier. Looking forward to it!",
    "Great to see this moving. Can't wait.",
    "Please make sure it works with SSO users too.",
    "We'd use this for every single client project.",
]

STAFF_REPLIES = [
    (
        "Thanks everyone — this is on our radar for Q3. We'll post an update here once we've "
        "scoped it."
    ),
    (
        "Thanks for the detailed write-up! Could you share a bit more about how your team handles "
        "this today?"
    ),
    (
        "Great suggestion. We're collecting use cases right now, so please keep them coming in the "
        "comments."
    ),
    (
        "Quick update: our team has started exploring designs for this. No ETA yet, but it's "
        "actively being looked at."
    ),
    (
        "Thanks for the feedback. In the meantime, a saved report filtered by tag can get you part "
        "of the way there."
    ),
    (
        "Hi all, we've shipped a first iteration of this to a small beta group. Reply here if "
        "you'd like to join."
    ),
    (
        "This is something we've heard from quite a few agencies. It's not on the immediate "
        "roadmap, but we're keeping it open."
    ),
    (
        "Thanks for raising this! Could you tell us roughly how many people in your workspace "
        "would use it?"
    ),
    "We've merged a couple of similar requests into this one so all the votes count together.",
    (
        "Appreciate the patience here. This turned out to be more involved than expected, but it's "
        "still planned."
    ),
    (
        "Hi! Our support team can help with a workaround in the meantime — just email support and "
        "mention this thread."
    ),
    (
        "We'd love to talk to a few of you about this. If you're up for a 20-minute call, leave a "
        "comment and we'll reach out."
    ),
    (
        "Thanks for the idea. For now you can use the API to automate this; we've added an example "
        "to our help center."
    ),
    "Update: this is now in development. We'll share screenshots here before it goes live.",
    "Good news — this has shipped! Let us know what you think and whether anything is missing.",
    (
        "Thanks, this is a helpful perspective. Does the problem mainly affect admins, or everyone "
        "on the team?"
    ),
    (
        "We hear you. This isn't something we'll build in the next few months, but we'll revisit "
        "it during planning."
    ),
    "Thanks for the vote, everyone. It helps us a lot when prioritising.",
    (
        "Could someone share an example of what the ideal result would look like? A screenshot or "
        "mock-up is perfect."
    ),
    (
        "This is a popular one! We're currently working through the technical groundwork that it "
        "depends on."
    ),
    (
        "Short answer: yes, it's planned. Longer answer: it's behind a couple of bigger projects, "
        "so likely later this year."
    ),
    (
        "We've rolled this out to 10% of workspaces so far. Full rollout should follow in the next "
        "couple of weeks."
    ),
    "Thanks for flagging. Just to check: is this about the web app, the desktop app, or both?",
    (
        "Hi everyone, we've published a short survey about this — there's a link in our latest "
        "changelog post."
    ),
    (
        "Thanks for the thoughtful discussion here. We've read every comment and they're shaping "
        "the first version."
    ),
    (
        "Heads-up: we're adjusting the scope slightly based on your feedback. An updated plan will "
        "follow soon."
    ),
    "We've added this to our public roadmap so you can follow progress there as well.",
    (
        "Thanks! Marking this as under review while we look at how it fits with the rest of the "
        "product."
    ),
]

CUSTOMER_NAMES = [
    "Amara Okafor",
    "Lucas Ferreira",
    "Priya Raghavan",
    "Jonas Lindqvist",
    "Mei Tanaka",
    "Diego Hernández",
    "Fatima Al-Sayed",
    "Oliver Bennett",
    "Sophie Durand",
    "Kwame Mensah",
    "Hannah Schmidt",
    "Rahul Mehta",
    "Isabella Rossi",
    "Tomasz Kowalczyk",
    "Aiko Nakamura",
    "Gabriel Santos",
    "Leila Haddad",
    "Ethan Walsh",
    "Nadia Petrova",
    "Chen Wei",
    "Emma Johansson",
    "Samuel Adeyemi",
    "Zoe Papadopoulos",
    "Mateo García",
    "Ingrid Solberg",
    "Arjun Kapoor",
    "Chloé Martin",
    "Daniel Kim",
    "Yasmin Nasser",
    "Finn O'Brien",
    "Lena Vogel",
    "Marcus Thompson",
    "Ana Silva",
    "Hiroshi Sato",
    "Olga Ivanova",
    "Kofi Asante",
    "Elif Kaya",
    "Benjamin Cohen",
    "Sara Lindgren",
    "Javier Morales",
    "Nia Williams",
    "Pieter de Vries",
    "Ayesha Siddiqui",
    "Liam Murphy",
    "Camille Lefèvre",
    "Thabo Nkosi",
    "Julia Nowak",
    "Ravi Shankar",
    "Freya Andersen",
    "Carlos Mendoza",
    "Mariam Khalil",
    "Noah Fischer",
    "Grace Liu",
    "Ibrahim Diallo",
    "Clara Bianchi",
    "Sebastian Bauer",
    "Anjali Nair",
    "Rhys Evans",
    "Valentina López",
    "Erik Hansen",
    "Min-jun Park",
    "Aisha Bello",
    "Tobias Keller",
    "Naomi Goldberg",
    "Andrés Castillo",
    "Siobhan Kelly",
    "Yusuf Demir",
    "Maya Patel",
    "Henrik Nilsson",
    "Lucía Romero",
    "Kenji Watanabe",
    "Chiara Esposito",
    "Dmitri Volkov",
    "Adaeze Nwosu",
    "Matteo Ricci",
    "Ella Thompson",
    "Omar Farouk",
    "Astrid Berg",
    "Victor Dubois",
    "Layla Rahman",
    "Jakub Horák",
    "Tamara Jovanović",
    "Wen Zhao",
    "Patrick Dunne",
    "Bianca Costa",
    "Kaito Yamamoto",
    "Sunita Rao",
    "Felix Wagner",
    "Rosa Jiménez",
    "Malik Johnson",
]

COMPANIES = [
    {"name": "Brightlane Studio", "domain": "brightlane.example"},
    {"name": "Northfold Consulting", "domain": "northfold.example"},
    {"name": "Pixel & Pine", "domain": "pixelandpine.example"},
    {"name": "Cedarpoint Partners", "domain": "cedarpoint.example"},
    {"name": "Wavecrest Digital", "domain": "wavecrest.example"},
    {"name": "Lumen & Co.", "domain": "lumenandco.example"},
    {"name": "Hollow Oak Creative", "domain": "hollowoak.example"},
    {"name": "Meridian Advisory Group", "domain": "meridianadvisory.example"},
    {"name": "Saltwater Labs", "domain": "saltwaterlabs.example"},
    {"name": "Fieldnote Agency", "domain": "fieldnote.example"},
    {"name": "Quarry Street Design", "domain": "quarrystreet.example"},
    {"name": "Bluefin Analytics", "domain": "bluefinanalytics.example"},
    {"name": "Copperleaf Consulting", "domain": "copperleaf.example"},
    {"name": "Tidewater Interactive", "domain": "tidewater.example"},
    {"name": "Kestrel Engineering", "domain": "kestrel-eng.example"},
    {"name": "Mosaic Brand Works", "domain": "mosaicbrand.example"},
    {"name": "Halcyon Legal Advisory", "domain": "halcyonlegal.example"},
    {"name": "Ironbridge Systems", "domain": "ironbridge.example"},
    {"name": "Paperkite Studio", "domain": "paperkite.example"},
    {"name": "Greenhaus Marketing", "domain": "greenhaus.example"},
    {"name": "Stillwater Strategy", "domain": "stillwater.example"},
    {"name": "Arcadia Dev Collective", "domain": "arcadiadev.example"},
    {"name": "Fernhill Accounting", "domain": "fernhill.example"},
    {"name": "Northstar Growth", "domain": "northstargrowth.example"},
    {"name": "Orchard Row Media", "domain": "orchardrow.example"},
    {"name": "Slate & Signal", "domain": "slatesignal.example"},
    {"name": "Juniper Field Services", "domain": "juniperfield.example"},
    {"name": "Vantage Point Research", "domain": "vantagepoint.example"},
    {"name": "Redwood Freelance Network", "domain": "redwoodfreelance.example"},
    {"name": "Bellwether UX", "domain": "bellwetherux.example"},
]

STATUS_MESSAGES = {
    "under_review": [
        (
            "Thanks for the suggestion! We're **reviewing** this with the product team and will "
            "share more once we've looked at the details."
        ),
        (
            "We're taking a closer look at this one. If you have a specific use case, please add "
            "it in the comments — it really helps."
        ),
        (
            "This is now **under review**. We're gathering feedback from a few customers to "
            "understand the scope."
        ),
        (
            "Moving this to review. We want to understand how it fits alongside a couple of "
            "related requests first."
        ),
    ],
    "planned": [
        "Good news: this is **planned**! We'll post updates here as work progresses.",
        (
            "We've added this to our roadmap for the coming quarter. Thanks to everyone who voted "
            "and shared their use case."
        ),
        (
            "This is **planned**. We don't have an exact date yet, but it's scheduled and has an "
            "owner on the team."
        ),
        "Planned! Your comments helped shape the first version — keep the feedback coming.",
    ],
    "in_progress": [
        "Work on this has **started**. We expect to have a beta ready in the next few weeks.",
        (
            "This is now **in progress**. If you'd like early access, leave a comment and we'll "
            "add you to the beta list."
        ),
        "Our team is actively building this. We'll share screenshots here before release.",
        "In progress! We're starting with the most requested part and will iterate from there.",
    ],
    "shipped": [
        (
            "This is **live**! Check out the changelog for details, and thanks for all the "
            "feedback along the way."
        ),
        (
            "Shipped 🎉 It's available for all workspaces now. Let us know if anything doesn't "
            "work as expected."
        ),
        (
            "Now available on web, desktop and mobile. See the help center article for setup "
            "instructions."
        ),
        (
            "**Released.** This ships with a first set of options — tell us what you'd like to see "
            "next."
        ),
    ],
    "declined": [
        (
            "Thanks for the suggestion. After careful consideration we've decided **not to "
            "pursue** this for now, as it doesn't fit our direction for the product."
        ),
        (
            "We're closing this one. It would add a lot of complexity for a small number of "
            "workspaces, but we appreciate everyone who weighed in."
        ),
        (
            "**Not planned** at this time. We've documented a workaround in the help center that "
            "covers most of the use cases here."
        ),
        (
            "We've decided against building this natively. Our API should make it possible to "
            "build on top of Tallyhive instead."
        ),
    ],
    "duplicate": [
        (
            "This has already been requested — we've **merged** it into the existing idea so the "
            "votes are combined."
        ),
        "Marking as a **duplicate**. Please follow the original idea for updates.",
        "Thanks! This is covered by another request, so we've merged your vote and comments there.",
        "Duplicate of an existing idea. We've moved the discussion over so nothing gets lost.",
    ],
}
