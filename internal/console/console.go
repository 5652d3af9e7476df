package console

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"breachflow/internal/approval"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config configures the console.
type Config struct {
	// Browse serves the case list and read-only case pages without a link.
	// See the package comment for when to turn it on.
	Browse bool
}

// Deps are the console's collaborators.
type Deps struct {
	// Approval applies the decision rules and knows the approval state.
	Approval *approval.Service
	Cases    CaseSource
	// Delivery, when set, feeds the case page's live delivery panel in
	// browse mode; nil shows none.
	Delivery DeliverySource
	// Now is the clock of the countdowns; nil means the approval
	// service's clock, or time.Now.
	Now func() time.Time
	// Log gets one line per decision, ids only; nil means slog.Default().
	Log *slog.Logger
}

type handler struct {
	cfg   Config
	deps  Deps
	pages map[string]*template.Template
}

// New returns the console's handler.
func New(cfg Config, deps Deps) http.Handler {
	h := &handler{cfg: cfg, deps: deps, pages: parsePages()}
	if h.deps.Log == nil {
		h.deps.Log = slog.Default()
	}
	if h.deps.Now == nil {
		h.deps.Now = time.Now
		if deps.Approval != nil && deps.Approval.Now != nil {
			h.deps.Now = deps.Approval.Now
		}
	}
	static, _ := fs.Sub(staticFS, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /a/{token}", h.linkPage)
	mux.HandleFunc("POST /a/{token}", h.decide)
	mux.HandleFunc("GET /cases/{id}", h.browse(h.casePage))
	mux.HandleFunc("GET /cases/{id}/delivery", h.browse(h.delivery))
	mux.HandleFunc("GET /{$}", h.browse(h.caseList))
	return secure(http.NewCrossOriginProtection().Handler(mux))
}

// parsePages parses each page template together with the layout. The
// templates are embedded, so a parse error is a build defect: tests load
// every page.
func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"list", "case", "result", "problem"} {
		pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// secure sets the headers every page needs: no scripts but our own, no
// framing, no referrer (link tokens are in URLs), no caching. Draft frames
// inherit the policy: inline styles stay allowed because email HTML is
// styled inline, and remote images are blocked, so previewing a notice
// fetches nothing (no tracking pixel fires on review).
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "+
			"frame-src 'self' about:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) browse(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.cfg.Browse {
			h.problem(w, http.StatusNotFound, "Not here", "Open the approval link from your email.")
			return
		}
		next(w, r)
	}
}

func (h *handler) render(w http.ResponseWriter, status int, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.pages[page].ExecuteTemplate(w, "layout", data); err != nil {
		h.deps.Log.Error("console render", "page", page, "err", err)
	}
}

type problemView struct {
	Title   string
	Message string
}

func (h *handler) problem(w http.ResponseWriter, status int, title, msg string) {
	h.render(w, status, "problem", problemView{Title: title, Message: msg})
}
