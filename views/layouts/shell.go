// Package layouts holds the page shell: the HTML document, the top bar and the left menu of a workspace.
package layouts

// Shell is what the workspace frame shows around a page.
type Shell struct {
	Title        string // the page title, also in <title>
	UserName     string
	RoleLabel    string
	HomeURL      string
	PasswordURL  string
	LogoutURL    string
	Menu         []MenuGroup
	LastLogin    string // e.g. "上次登录：2026-11-26 09:12 来自 10.1.2.3"
	MessagesURL  string // 消息, with the unread count beside it ("" hides the link)
	Unread       int
	DownloadsURL string // 我的下载
	ContactURL   string // 通知设置
	Notice       string // a confirmation shown above the page's content (after a redirect)
}

// MenuGroup is a heading of the left menu with its items.
type MenuGroup struct {
	Title string
	Items []MenuItem
}

// MenuItem is one link of the left menu. WIP items lead to a plain 建设中 page.
type MenuItem struct {
	Label  string
	Href   string
	Active bool
	WIP    bool
	TestID string
}

// htmxConfig turns off everything the CSP forbids (eval, inline styles and scripts), keeps personal pages out of
// the browser's history cache, and lets error responses (4xx/5xx) be swapped so the user sees the message.
const htmxConfig = `{"allowEval":false,"allowScriptTags":false,"includeIndicatorStyles":false,"selfRequestsOnly":true,` +
	`"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204","swap":false},` +
	`{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}`
