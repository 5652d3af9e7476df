package posting

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/email"
)

// NoticeSource gives the renderer of a case's customer notices, refusing
// unless they hash to approved (draft.Approved.Notices).
type NoticeSource func(ctx context.Context, caseID, approved string) (email.Renderer, error)

// LinkPages serves <base>/n/<token>: the person's full notice, in their
// language, rendered from the approved notices as the e-mail would be. In
// AWS it runs behind a function URL that the site's distribution routes
// /n/* to; locally the site serves it beside the posted pages.
//
// What it writes to its log is the outcome only: never the token (a
// capability) and never who it resolved to.
type LinkPages struct {
	Links   *Links
	Notices NoticeSource
	Log     *slog.Logger
}

var gonePage = template.Must(template.New("gone").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.}}</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em"><h1>{{.}}</h1>
<p>This link to a personal notice is not valid (any more). The notice the organisation posted publicly is still on this site; please also check the letter, e-mail or text message you received.</p>
<p lang="ko">이 개인 안내 링크는 유효하지 않거나 만료되었습니다.</p></body></html>`))

// ServeHTTP answers GET and HEAD of LinkPath + token.
func (p *LinkPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The page holds the person's notice: never cached by the way, never
	// indexed, never leaking the link in a Referer.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, LinkPath)
	if !ok {
		p.gone(w, http.StatusNotFound, "Not found")
		return
	}
	html, err := p.render(r.Context(), token)
	switch {
	case errors.Is(err, ErrLinkNotFound):
		p.log("link page", "outcome", "not_found")
		p.gone(w, http.StatusNotFound, "Link not found")
	case errors.Is(err, ErrLinkExpired):
		p.log("link page", "outcome", "expired")
		p.gone(w, http.StatusGone, "Link expired")
	case err != nil:
		p.log("link page", "outcome", "error", "error", err.Error())
		http.Error(w, "the notice cannot be shown right now; please try again later", http.StatusServiceUnavailable)
	default:
		p.log("link page", "outcome", "served")
		h.Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodGet {
			w.Write([]byte(html))
		}
	}
}

func (p *LinkPages) render(ctx context.Context, token string) (string, error) {
	k, err := p.Links.Resolve(ctx, token)
	if err != nil {
		return "", err
	}
	caseID, _ := casetable.CaseOfSet(k.CaseID)
	sum, err := Store{DB: p.Links.DB, Table: p.Links.Table}.Summary(ctx, caseID)
	if err != nil {
		return "", err
	}
	res, err := p.Links.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(p.Links.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.SubjectPK(k.CaseID, k.Shard)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.SubjectSK(k.UserID)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("link subject: %w", err)
	}
	if len(res.Item) == 0 {
		// The person left the case's scope (an amendment): the link no
		// longer names anyone's notice.
		return "", ErrLinkNotFound
	}
	var s casetable.Subject
	if err := attributevalue.UnmarshalMap(res.Item, &s); err != nil {
		return "", fmt.Errorf("link subject: %w", err)
	}
	render, err := p.Notices(ctx, caseID, sum.ContentHash)
	if err != nil {
		return "", err
	}
	m, err := render(&s)
	if err != nil {
		return "", fmt.Errorf("render linked notice of case %s: %w", caseID, err)
	}
	return m.HTML, nil
}

func (p *LinkPages) gone(w http.ResponseWriter, code int, title string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	gonePage.Execute(w, title)
}

func (p *LinkPages) log(msg string, args ...any) {
	if p.Log != nil {
		p.Log.Info(msg, args...)
	}
}
