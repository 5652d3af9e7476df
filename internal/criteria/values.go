package criteria

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/breach"
	"breachflow/internal/usertable"
)

// attributeValue converts a criteria value to the attribute's stored type.
// Types must match exactly: "age" = "30" against a number attribute would
// match nobody, so it is an error rather than a silent empty scope.
func attributeValue(a usertable.Attribute, op Op, s scalar) (types.AttributeValue, error) {
	want := map[usertable.Type]byte{usertable.TypeString: 'S', usertable.TypeNumber: 'N', usertable.TypeBool: 'B'}[a.Type]
	switch a.Type {
	case usertable.TypeSet:
		if s.kind == 'B' {
			return nil, fmt.Errorf("a set holds strings or numbers, not booleans")
		}
		return scalarValue(s), nil
	case usertable.TypeTime:
		if s.kind == 'N' && a.Format != "" && a.Format != usertable.TimeRFC3339 {
			return scalarValue(s), nil
		}
		if s.kind != 'S' {
			return nil, fmt.Errorf("want an RFC 3339 time such as 2024-05-01T00:00:00Z")
		}
		t, err := time.Parse(time.RFC3339, s.text)
		if err != nil {
			return nil, fmt.Errorf("want an RFC 3339 time such as 2024-05-01T00:00:00Z, got %q", s.text)
		}
		return timeValue(a, t)
	}
	if s.kind != want {
		return nil, fmt.Errorf("want a %s value", a.Type)
	}
	return scalarValue(s), nil
}

func scalarValue(s scalar) types.AttributeValue {
	switch s.kind {
	case 'N':
		return &types.AttributeValueMemberN{Value: s.text}
	case 'B':
		return &types.AttributeValueMemberBOOL{Value: s.text == "true"}
	}
	return &types.AttributeValueMemberS{Value: s.text}
}

// timeValue writes t the way the attribute stores times. RFC 3339 times are
// compared as strings, so they are written in UTC at second precision, the
// form the mapping documents for stored values.
func timeValue(a usertable.Attribute, t time.Time) (types.AttributeValue, error) {
	switch a.Format {
	case "", usertable.TimeRFC3339:
		return &types.AttributeValueMemberS{Value: t.UTC().Format("2006-01-02T15:04:05Z")}, nil
	case usertable.TimeUnix:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}, nil
	case usertable.TimeUnixMs:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}, nil
	}
	return nil, fmt.Errorf("unknown time format %q", a.Format)
}

func sortedCategories(m map[breach.Category]string) []breach.Category {
	return slices.Sorted(maps.Keys(m))
}
