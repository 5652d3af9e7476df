package notice_test

import (
	"fmt"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
)

// A sender builds one NoticeSet per case and renders each person's notice
// in their language, listing their own data.
func ExampleNoticeSet_Render() {
	set, err := notice.NewNoticeSet(notice.CaseFacts{
		Org:          notice.Org{Name: "Example Pay", Contact: notice.Contact{Email: "privacy@example.com"}},
		Vector:       "hacking",
		OccurredFrom: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Discovered:   time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
		NoticeDate:   time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
		Categories:   []breach.Category{breach.CategoryEmail, breach.CategoryPhone},
	})
	if err != nil {
		panic(err)
	}
	m, err := set.Render(notice.Recipient{Name: "홍길동", Locale: "ko-KR", Jurisdiction: "KR", Categories: []breach.Category{breach.CategoryEmail}})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Subject)
	fmt.Println(strings.Contains(m.Text, "홍길동"))
	// Output:
	// [Example Pay] 개인정보 유출 사실을 알려드리며 사과드립니다
	// true
}
