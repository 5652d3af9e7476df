package posting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// LinkPath is the path under the site's address that link pages live at:
// <base>/n/<token>.
const LinkPath = "/n/"

// tokenBytes is a token's entropy: 128 bits, 22 characters of base64url.
const tokenBytes = 16

// Errors of Resolve. Neither names the token: it is a capability.
var (
	ErrLinkNotFound = errors.New("no such link")
	ErrLinkExpired  = errors.New("link expired")
)

// Link is what a token resolves to: whose notice, of which case, until
// when. Ids only; the notice is rendered from the case's subject record.
type Link struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	CaseID string `dynamodbav:"case_id"`
	UserID string `dynamodbav:"user_id"`
	Shard  int    `dynamodbav:"shard"`
	// ExpiresAt is the posting period's end; Resolve refuses the link
	// from then on. The item stays (ids and a hash only), a record of what
	// was issued; the case table has no TTL.
	ExpiresAt time.Time `dynamodbav:"expires_at"`
}

// Links issues and resolves the per-person links to the full notice that
// an SMS carries. The URL is <BaseURL>/n/<token>: 128 random bits and
// nothing else, so it holds no personal data; the table keeps only the
// token's SHA-256, so a copy of the table gives no working link. A link
// expires when the case's posting period ends (its posting summary's
// Until), which publishing has recorded before anything is sent.
//
// The SMS sender declares the one method it calls, for example
//
//	type Linker interface {
//		Link(ctx context.Context, caseID, userID string, shard int) (string, error)
//	}
//
// and is given a *Links.
type Links struct {
	DB      DB
	Table   string
	BaseURL string
	Now     func() time.Time
	// Rand is the token source; nil means crypto/rand.
	Rand func([]byte) error
}

func (l *Links) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// TokenHash is the stored form of a token.
func TokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

func linkKey(hash string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: "LINK#" + hash},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: "LINK"},
	}
}

// Link issues a new link to the full notice of the case's subject userID
// (in shard) and returns its URL. Each call issues a fresh token (a resent
// SMS carries a new one; every token issued stays valid until the period
// ends). ErrNotPublished when the case's notice is not posted yet, or its
// period has ended.
func (l *Links) Link(ctx context.Context, caseID, userID string, shard int) (string, error) {
	// caseID may be a version's subject set (casetable.SetID, as an
	// amended case's subjects carry it): the link keeps the set, where the
	// person's record is, and the posting is the case's.
	set := caseID
	caseID, _ = casetable.CaseOfSet(set)
	sum, err := Store{DB: l.DB, Table: l.Table}.Summary(ctx, caseID)
	if err != nil {
		return "", err
	}
	if !l.now().Before(sum.Until) {
		return "", fmt.Errorf("case %s: posting ended %s: %w", caseID, sum.Until.Format(time.RFC3339), ErrNotPublished)
	}
	b := make([]byte, tokenBytes)
	read := l.Rand
	if read == nil {
		read = func(b []byte) error { _, err := rand.Read(b); return err }
	}
	if err := read(b); err != nil {
		return "", fmt.Errorf("link token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	hash := TokenHash(token)
	item, err := attributevalue.MarshalMap(Link{
		PK: "LINK#" + hash, SK: "LINK", CaseID: set, UserID: userID, Shard: shard,
		ExpiresAt: sum.Until,
	})
	if err != nil {
		return "", err
	}
	// A token never overwrites another: 128 random bits do not collide,
	// and a broken random source must fail loudly rather than hand two
	// people the same link.
	_, err = l.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil {
		return "", fmt.Errorf("store link for case %s: %w", caseID, err)
	}
	return strings.TrimSuffix(l.BaseURL, "/") + LinkPath + token, nil
}

// ValidToken reports whether s has a token's shape (22 characters of
// base64url), so that nothing else reaches the table.
func ValidToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// Resolve returns what token links to, ErrLinkNotFound for a token never
// issued (or malformed), ErrLinkExpired for one whose period has ended.
func (l *Links) Resolve(ctx context.Context, token string) (Link, error) {
	if !ValidToken(token) {
		return Link{}, ErrLinkNotFound
	}
	res, err := l.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: linkKey(TokenHash(token)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Link{}, fmt.Errorf("resolve link: %w", err)
	}
	if len(res.Item) == 0 {
		return Link{}, ErrLinkNotFound
	}
	var k Link
	if err := attributevalue.UnmarshalMap(res.Item, &k); err != nil {
		return Link{}, fmt.Errorf("resolve link: %w", err)
	}
	if !l.now().Before(k.ExpiresAt) {
		return k, ErrLinkExpired
	}
	return k, nil
}
