package posting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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

// A token is a group id and a per-person secret in base64url: 5 bytes
// that name the stored group of links it was issued in (a page of people
// issued together: one item to write, not one per person) and 16 random
// bytes that are the person's own, so a person who holds one link of a
// group is still 128 random bits away from anyone else's. 21 bytes, 28
// characters.
const (
	groupBytes  = 5
	secretBytes = 16
	tokenBytes  = groupBytes + secretBytes
)

// maxGroup is the most links one group item holds: a shard's page of
// people (ledger.DefaultPage) fits, and the item stays far under
// DynamoDB's 400 KB (a link is its SHA-256 and the user id).
const maxGroup = 1000

// groupTries is how often issuing a group draws a fresh group id when the
// one drawn is taken (40 random bits: a clash is rare, never an overwrite).
const groupTries = 3

// Errors of Resolve. Neither names the token: it is a capability.
var (
	ErrLinkNotFound = errors.New("no such link")
	ErrLinkExpired  = errors.New("link expired")
)

// Link is what a token resolves to: whose notice, of which case, until
// when. Ids only; the notice is rendered from the case's subject record.
type Link struct {
	CaseID string
	UserID string
	Shard  int
	// ExpiresAt is the posting period's end; Resolve refuses the link
	// from then on. The item stays (ids and hashes only), a record of what
	// was issued; the case table has no TTL.
	ExpiresAt time.Time
}

// linkGroup is one stored group of links issued together, all of one
// subject set's shard: under the SHA-256 of the group id, the SHA-256 of
// each token with the user it names. The links are one JSON string
// attribute (token hash to user id), not a DynamoDB map: a database checks
// and sizes every member of a map on every write, a string once.
type linkGroup struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	CaseID    string    `dynamodbav:"case_id"`
	Shard     int       `dynamodbav:"shard"`
	ExpiresAt time.Time `dynamodbav:"expires_at"`
	Links     string    `dynamodbav:"links"`
}

// Links issues and resolves the per-person links to the full notice that
// an SMS carries. The URL is <BaseURL>/n/<token>: random bits and nothing
// else (a group id and the person's 128-bit secret), so it holds no
// personal data; the table keeps only SHA-256 hashes (of the group id, the
// item's key, and of each token), so a copy of the table gives no working
// link. A link expires when the case's posting period ends (its posting
// summary's Until), which publishing has recorded before anything is sent.
//
// The SMS sender declares the methods it calls, for example
//
//	type Linker interface {
//		Link(ctx context.Context, caseID, userID string, shard int) (string, error)
//	}
//
// and is given a *Links; LinkAll issues a page of people's links in one
// read of the posting and one write.
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

// groupKey is the key of the group item whose id is group.
func groupKey(group []byte) map[string]types.AttributeValue {
	s := sha256.Sum256(group)
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: "LINK#" + hex.EncodeToString(s[:])},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: "LINK"},
	}
}

// Link issues a new link to the full notice of the case's subject userID
// (in shard) and returns its URL. Each call issues a fresh token (a resent
// SMS carries a new one; every token issued stays valid until the period
// ends). ErrNotPublished when the case's notice is not posted yet, or its
// period has ended.
func (l *Links) Link(ctx context.Context, caseID, userID string, shard int) (string, error) {
	urls, err := l.LinkAll(ctx, caseID, shard, []string{userID})
	if err != nil {
		return "", err
	}
	return urls[0], nil
}

// LinkAll is Link for several people of one shard at once, in order: one
// read of the case's posting and one write per maxGroup people, where Link
// costs one of each per person. The send pipeline issues a page's links
// this way ahead of its sends.
func (l *Links) LinkAll(ctx context.Context, caseID string, shard int, userIDs []string) ([]string, error) {
	// caseID may be a version's subject set (casetable.SetID, as an
	// amended case's subjects carry it): the link keeps the set, where the
	// person's record is, and the posting is the case's.
	set := caseID
	caseID, _ = casetable.CaseOfSet(set)
	sum, err := Store{DB: l.DB, Table: l.Table}.Summary(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !l.now().Before(sum.Until) {
		return nil, fmt.Errorf("case %s: posting ended %s: %w", caseID, sum.Until.Format(time.RFC3339), ErrNotPublished)
	}
	urls := make([]string, 0, len(userIDs))
	for part := range slices.Chunk(userIDs, maxGroup) {
		tokens, err := l.issue(ctx, set, shard, sum.Until, part)
		if err != nil {
			return nil, fmt.Errorf("store links for case %s: %w", caseID, err)
		}
		for _, tok := range tokens {
			urls = append(urls, strings.TrimSuffix(l.BaseURL, "/")+LinkPath+tok)
		}
	}
	return urls, nil
}

// issue stores one group of links for users and returns their tokens.
func (l *Links) issue(ctx context.Context, set string, shard int, until time.Time, users []string) ([]string, error) {
	read := l.Rand
	if read == nil {
		read = func(b []byte) error { _, err := rand.Read(b); return err }
	}
	for try := 1; ; try++ {
		buf := make([]byte, groupBytes+len(users)*secretBytes)
		if err := read(buf); err != nil {
			return nil, fmt.Errorf("link token: %w", err)
		}
		group := buf[:groupBytes]
		tokens := make([]string, len(users))
		byHash := make(map[string]string, len(users))
		seen := make(map[string]bool, len(users))
		for i, u := range users {
			secret := buf[groupBytes+i*secretBytes : groupBytes+(i+1)*secretBytes]
			if seen[string(secret)] {
				// 128 random bits do not repeat: a source that does is
				// broken, and must fail loudly rather than hand two
				// people the same link.
				return nil, errors.New("link token: the random source repeats itself")
			}
			seen[string(secret)] = true
			tokens[i] = base64.RawURLEncoding.EncodeToString(append(slices.Clip(group), secret...))
			byHash[TokenHash(tokens[i])] = u
		}
		js, err := json.Marshal(byHash)
		if err != nil {
			return nil, err
		}
		item, err := attributevalue.MarshalMap(linkGroup{CaseID: set, Shard: shard, ExpiresAt: until, Links: string(js)})
		if err != nil {
			return nil, err
		}
		maps.Copy(item, groupKey(group))
		// A group never overwrites another: a group id drawn twice (40
		// random bits) draws again, and a source that keeps repeating
		// fails after a few tries.
		_, err = l.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(l.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		if _, clash := errors.AsType[*types.ConditionalCheckFailedException](err); clash && try < groupTries {
			continue
		}
		if err != nil {
			return nil, err
		}
		return tokens, nil
	}
}

// ValidToken reports whether s has a token's shape (28 characters of
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
	raw, _ := base64.RawURLEncoding.DecodeString(token)
	res, err := l.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: groupKey(raw[:groupBytes]), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Link{}, fmt.Errorf("resolve link: %w", err)
	}
	if len(res.Item) == 0 {
		return Link{}, ErrLinkNotFound
	}
	var g linkGroup
	if err := attributevalue.UnmarshalMap(res.Item, &g); err != nil {
		return Link{}, fmt.Errorf("resolve link: %w", err)
	}
	var byHash map[string]string
	if err := json.Unmarshal([]byte(g.Links), &byHash); err != nil {
		return Link{}, fmt.Errorf("resolve link: %w", err)
	}
	user, ok := byHash[TokenHash(token)]
	if !ok {
		return Link{}, ErrLinkNotFound
	}
	k := Link{CaseID: g.CaseID, UserID: user, Shard: g.Shard, ExpiresAt: g.ExpiresAt}
	if !l.now().Before(k.ExpiresAt) {
		return k, ErrLinkExpired
	}
	return k, nil
}
