"""Component ids of the app, one constant each, so layouts, callbacks and the browser
tests name the same thing."""

from ..export import FORMATS

# the shell
URL = "url"
PAGE = "page"
NAV = "nav"
STORE_BADGE = "store-badge"

# exports (one bar per page that has a selection; one callback serves them all)
EXPORT_SELECTION = "export-selection"
EXPORT_DOWNLOAD = "export-download"
EXPORT_STATUS = "export-status"
# button id -> format: one button per format of graphinv.export.FORMATS with a button label
EXPORT_BUTTONS = {f"export-{f.name}": f.name for f in FORMATS.values() if f.button}

# overview
OVERVIEW_COUNTS = "overview-counts"
OVERVIEW_TIMELINE = "overview-timeline"
OVERVIEW_CAMPAIGNS = "overview-campaigns"
OVERVIEW_LINEAGES = "overview-lineages"
OVERVIEW_TAKEDOWN_CHART = "overview-takedown-chart"

# campaigns
CAMPAIGN_TABLE = "campaign-table"
CAMPAIGN_PICKER = "campaign-picker"
CAMPAIGN_TITLE = "campaign-title"
CAMPAIGN_NETWORK = "campaign-network"
CAMPAIGN_NETWORK_NOTE = "campaign-network-note"
CAMPAIGN_MEMBERS = "campaign-members"
CAMPAIGN_TIMELINE = "campaign-timeline"
CAMPAIGN_OBJECTS = "campaign-objects"
CAMPAIGN_TARGETS = "campaign-targets"
CAMPAIGN_EVIDENCE = "campaign-evidence"
CAMPAIGN_REASONS = "campaign-reasons"
CAMPAIGN_LIMITATIONS = "campaign-limitations"

# lineages
LINEAGE_TABLE = "lineage-table"
LINEAGE_PICKER = "lineage-picker"
LINEAGE_TITLE = "lineage-title"
LINEAGE_TIMELINE = "lineage-timeline"
LINEAGE_STEPS = "lineage-steps"

# explorer
EXPLORER_SEARCH = "explorer-search"
EXPLORER_SEARCH_BUTTON = "explorer-search-button"
EXPLORER_KINDS = "explorer-kinds"
EXPLORER_SINCE = "explorer-since"
EXPLORER_UNTIL = "explorer-until"
EXPLORER_RESULTS = "explorer-results"
EXPLORER_RESULT_TABLE = "explorer-result-table"
EXPLORER_EXPORT = "explorer-export"
EXPLORER_GRAPH = "explorer-graph"
EXPLORER_ELEMENTS = "explorer-elements"
EXPLORER_NOTE = "explorer-note"
EXPLORER_DETAIL = "explorer-detail"
EXPLORER_CLEAR = "explorer-clear"

# console
CONSOLE_QUERY = "console-query"
CONSOLE_QUERY_HELP = "console-query-help"
CONSOLE_PARAMS = "console-params"
CONSOLE_PARAM = "console-param"  # pattern-matching type: {"type": CONSOLE_PARAM, "name": …}
CONSOLE_RUN_NAMED = "console-run-named"
CONSOLE_CYPHER = "console-cypher"
CONSOLE_RUN_CYPHER = "console-run-cypher"
CONSOLE_ERROR = "console-error"
CONSOLE_RESULT = "console-result"
CONSOLE_RESULT_NOTE = "console-result-note"
CONSOLE_CSV = "console-csv"
CONSOLE_CSV_DOWNLOAD = "console-csv-download"
CONSOLE_DIALECT = "console-dialect"
CONSOLE_LAST = "console-last"
CONSOLE_EXPORT = "console-export"
CONSOLE_TABLE = "console-table"
CONSOLE_ERROR_MESSAGE = "console-error-message"

# watchlist
WATCH_SUMMARY = "watch-summary"
WATCH_TABLE = "watch-table"
WATCH_TIMELINE = "watch-timeline"
WATCH_CHANGES = "watch-changes"
WATCH_EVIDENCE = "watch-evidence"
WATCH_EVIDENCE_TABLE = "watch-evidence-table"
WATCH_EMPTY = "watch-empty"

# search
SEARCH_BOX = "search-box"
SEARCH_RESULTS = "search-results"

# entity, target, capture and comparison pages
ENTITY_PAGE = "entity-page"
ENTITY_CAPTURES = "entity-captures"
ENTITY_REPORTS = "entity-reports"
ENTITY_COACTIONS = "entity-coactions"
ENTITY_POSTS = "entity-posts"
ENTITY_NEIGHBOURS = "entity-neighbours"
ENTITY_OPEN_CAPTURE = "entity-open-capture"
TARGET_REAL = "target-real"
TARGET_IMPERSONATORS = "target-impersonators"
TARGET_ATTACKERS = "target-attackers"
CAPTURE_PAGE = "capture-page"
CAPTURE_FRAME = "capture-frame"
CAPTURE_CONTENT = "capture-content"
COMPARE_PAGE = "compare-page"
COMPARE_LEFT_FRAME = "compare-left-frame"
COMPARE_RIGHT_FRAME = "compare-right-frame"
ENTITY_LINKED_PAGES = "entity-linked-pages"

# cases (one panel per page: pin, tag, note; the case and the writer's name kept in the browser)
CASE_PAGE = "case-page"
CASE_NEW_NAME = "case-new-name"
CASE_NEW_DESCRIPTION = "case-new-description"
CASE_CREATE = "case-create"
CASE_AUTHOR = "case-author"
CASE_PICK = "case-pick"
CASE_ABOUT = "case-about"
CASE_PIN = "case-pin"
CASE_TAG = "case-tag"
CASE_TAG_BUTTON = "case-tag-button"
CASE_NOTE = "case-note"
CASE_NOTE_BUTTON = "case-note-button"
CASE_STATUS = "case-status"
CASE_NOTES = "case-notes"
CASE_VIEW = "case-view"
CAMPAIGN_SAVE_VIEW = "campaign-save-view"
EXPLORER_SAVE_VIEW = "explorer-save-view"

# the page's time range (one per page)
TIME_RANGE = "time-range"
TIME_FROM = "time-from"
TIME_TO = "time-to"
TIME_APPLY = "time-apply"
TIME_CLEAR = "time-clear"
