package usertable

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// User is one synthetic user, as Generate makes it and DefaultMapping reads
// it.
type User struct {
	ID               string
	Email            string // empty for users without one
	Phone            string
	Postal           string // lines separated by "\n"; empty for users without one
	Locale           string
	Country          string
	Region           string // US states only
	Name             string
	DataHeld         []string // breach.Category names
	PaymentService   string   // "kakaopay" for users of the payment service, else "none"
	OverseasTransfer bool     // data shared with an overseas partner: the Kakao Pay case's selector
	MarketingOptIn   bool
	Tier             string
	Age              int
	SignupAt         time.Time
	LastLogin        time.Time
	CardToken        string // present when a card is on file
}

type nameList struct {
	Family [][2]string `json:"family"` // native, romanised
	Given  [][2]string `json:"given"`
	Order  string      `json:"order"`
}

//go:embed names.json
var namesJSON []byte

var names = func() map[string]nameList {
	var m map[string]nameList
	if err := json.Unmarshal(namesJSON, &m); err != nil {
		panic(err) // the embedded file is tested
	}
	return m
}()

// population: country shares in per cent, summing to 100.
var population = []struct {
	country, locale string
	share           int
	domains         []string
	// dial is a mobile number's start in E.164, to which random digits
	// are added up to the country's mobile length (seven for Singapore's
	// eight-digit numbers, eight elsewhere).
	dial string
}{
	{"KR", "ko", 82, []string{"example.com", "mail.example.com", "kr.example.net"}, "+8210"},
	{"US", "en-US", 7, []string{"example.com", "example.org", "us.example.net"}, "+1"},
	{"DE", "de", 2, []string{"example.net", "de.example.org"}, "+4915"},
	{"FR", "fr", 2, []string{"example.net", "fr.example.org"}, "+336"},
	{"IE", "en-IE", 1, []string{"example.net", "ie.example.org"}, "+3538"},
	{"NL", "nl", 1, []string{"example.net", "nl.example.org"}, "+316"},
	{"JP", "ja", 3, []string{"jp.example.com", "example.org"}, "+8190"},
	{"SG", "en-SG", 2, []string{"example.org", "sg.example.net"}, "+658"},
}

// usStates: the states whose laws differ most, weighted by rough size.
var usStates = []string{"CA", "CA", "CA", "NY", "NY", "TX", "TX", "MA", "WA", "IL", "FL", "NJ"}

var tiers = []string{"basic", "basic", "basic", "basic", "basic", "basic", "basic", "gold", "gold", "vip"}

// Generate returns user i of the population for seed. It is a pure function
// of (seed, i), so any range of users can be made in any order, in parallel.
func Generate(seed uint64, i int) User {
	u := generate(seed, i)
	r := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(i)))
	d := r.IntN(100)
	switch {
	case d == 0 && i > 0:
		// Shares the address of the user before, written as people do:
		// other case, stray spaces. Scoping must see one address.
		prev := generate(seed, i-1)
		u.Email = "  " + strings.ToUpper(prev.Email[:1]) + prev.Email[1:] + " "
	case d == 1:
		u.Email = ""
	case d == 2:
		// Reachable by post only: no email, no phone.
		u.Email, u.Phone = "", ""
	}
	u.Postal = postal(seed, i, u, d == 2)
	if u.Email == "" {
		u.DataHeld = without(u.DataHeld, "email")
	}
	return u
}

func generate(seed uint64, i int) User {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	pick := r.IntN(100)
	p := population[0]
	for _, c := range population {
		if pick < c.share {
			p = c
			break
		}
		pick -= c.share
	}
	n := names[p.country]
	fam, giv := n.Family[r.IntN(len(n.Family))], n.Given[r.IntN(len(n.Given))]
	u := User{
		ID:       fmt.Sprintf("u%09d", i),
		Country:  p.country,
		Locale:   p.locale,
		Tier:     tiers[r.IntN(len(tiers))],
		Age:      19 + r.IntN(61),
		SignupAt: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(9.5 * 365 * 24 * float64(time.Hour))))).Truncate(time.Second),
	}
	u.LastLogin = u.SignupAt.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Second)
	if n.Order == "family_given" {
		u.Name = fam[0] + giv[0]
		if p.country == "JP" {
			u.Name = fam[0] + " " + giv[0]
		}
	} else {
		u.Name = giv[0] + " " + fam[0]
	}
	u.Email = giv[1] + "." + fam[1] + strconv.Itoa(i) + "@" + p.domains[r.IntN(len(p.domains))]
	if p.country == "US" {
		u.Region = usStates[r.IntN(len(usStates))]
		u.Phone = fmt.Sprintf("+1%03d55501%02d", 200+r.IntN(700), r.IntN(100)) // 555-01xx: reserved for fiction
	} else {
		if p.country == "SG" {
			u.Phone = p.dial + fmt.Sprintf("%07d", r.IntN(10000000))
		} else {
			u.Phone = p.dial + fmt.Sprintf("%08d", r.IntN(100000000))
		}
	}
	u.DataHeld = []string{"name", "email", "phone", "date_of_birth"}
	if r.IntN(100) < 90 {
		u.DataHeld = append(u.DataHeld, "device_id") // app users
	}
	u.PaymentService = "none"
	if r.IntN(100) < 75 {
		u.PaymentService = "kakaopay"
		u.OverseasTransfer = r.IntN(100) < 60
		u.DataHeld = append(u.DataHeld, "financial_account", "transaction_history", "credit_information")
		if r.IntN(2) == 0 {
			u.CardToken = fmt.Sprintf("tok_%016x", r.Uint64())
		}
	}
	if p.country == "KR" && r.IntN(100) < 30 {
		u.DataHeld = append(u.DataHeld, "rrn")
	}
	u.MarketingOptIn = r.IntN(100) < 40
	return u
}

// postal gives user u a made-up postal address (for about 40 % of users,
// and always when only is set), from a random stream of its own so that
// no other field depends on it.
func postal(seed uint64, i int, u User, only bool) string {
	r := rand.New(rand.NewPCG(seed^0x5ca1ab1e0ddba11, uint64(i)))
	if !only && r.IntN(100) >= 40 {
		return ""
	}
	n := 1 + r.IntN(300)
	switch u.Country {
	case "KR":
		gu := []string{"예시구", "샘플구", "가상구"}[r.IntN(3)]
		return fmt.Sprintf("서울특별시 %s 예시로 %d\n%d동 %d호\n%05d", gu, n, 100+r.IntN(20), 101+r.IntN(1500), 10000+r.IntN(9000))
	case "US":
		return fmt.Sprintf("%d Example Street, Apt %d\nSpringfield, %s %05d", n, 1+r.IntN(40), u.Region, 90000+r.IntN(999))
	case "JP":
		return fmt.Sprintf("〒100-%04d\n東京都千代田区例示町%d-%d", r.IntN(10000), 1+r.IntN(9), n)
	default:
		return fmt.Sprintf("Examplestraat %d\n%04d Sample City\n%s", n, 1000+r.IntN(8999), u.Country)
	}
}

func without(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// Item is the user as a DynamoDB item under DefaultMapping.
func (u User) Item() map[string]types.AttributeValue {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	b := func(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }
	it := map[string]types.AttributeValue{
		"user_id":           s(u.ID),
		"locale":            s(u.Locale),
		"country":           s(u.Country),
		"name":              s(u.Name),
		"data_held":         &types.AttributeValueMemberSS{Value: u.DataHeld},
		"payment_service":   s(u.PaymentService),
		"overseas_transfer": b(u.OverseasTransfer),
		"marketing_opt_in":  b(u.MarketingOptIn),
		"tier":              s(u.Tier),
		"age":               &types.AttributeValueMemberN{Value: strconv.Itoa(u.Age)},
		"signup_at":         s(u.SignupAt.UTC().Format("2006-01-02T15:04:05Z")),
		"last_login":        &types.AttributeValueMemberN{Value: strconv.FormatInt(u.LastLogin.Unix(), 10)},
	}
	if u.Email != "" {
		it["email"] = s(u.Email)
	}
	if u.Phone != "" {
		it["phone"] = s(u.Phone)
	}
	if u.Postal != "" {
		it["postal_address"] = s(u.Postal)
	}
	if u.Region != "" {
		it["region"] = s(u.Region)
	}
	if u.CardToken != "" {
		it["card_token"] = s(u.CardToken)
	}
	return it
}

// SeedOptions says what Seed writes.
type SeedOptions struct {
	Users   int
	Seed    uint64
	Workers int             // concurrent BatchWriteItem callers; 0 means 8
	Written func(users int) // called after each batch is written, from any goroutine; may be nil
}

// Seed writes users 0..Users-1 of the population for Seed into table with
// concurrent BatchWriteItem calls. Re-running it rewrites the same items.
func Seed(ctx context.Context, db BatchWriter, table string, opts SeedOptions) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = 8
	}
	var next atomic.Int64
	batches := int64((opts.Users + MaxBatch - 1) / MaxBatch)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			items := make([]map[string]types.AttributeValue, 0, MaxBatch)
			for {
				b := next.Add(1) - 1
				if b >= batches || ctx.Err() != nil {
					return
				}
				items = items[:0]
				for i := int(b) * MaxBatch; i < min(int(b+1)*MaxBatch, opts.Users); i++ {
					items = append(items, Generate(opts.Seed, i).Item())
				}
				if err := WriteAll(ctx, db, table, items); err != nil {
					cancel(err)
					return
				}
				if opts.Written != nil {
					opts.Written(len(items))
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("seed %s: %w", table, err)
	}
	return nil
}
