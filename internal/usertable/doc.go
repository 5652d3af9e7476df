// Package usertable is breachflow's view of the customer's own user table:
// the mapping that says which attributes hold what breachflow needs, and, for
// the demo and benchmarks, a deterministic synthetic population to seed it
// with.
//
// # The mapping
//
// The mapping is JSON, given in configuration (the USER_MAPPING variable of
// the scope function holds the JSON itself or the path of a file; `breachflow
// seed` writes a table that DefaultMapping describes):
//
//	{
//	  "id": "user_id",            // required: the table's partition key, a string
//	  "email": "email", "phone": "phone", "locale": "locale",
//	  "postal": "postal_address", // lines separated by newlines
//	  "country": "country",       // ISO 3166-1 alpha-2
//	  "region": "region",         // subdivision ("CA" for California), used for
//	                              // the countries in subdivision_countries
//	  "name": "name",
//	  "categories": {             // which data the company holds for the person
//	    "attribute": "data_held", // a string set (or list) of breach.Category names
//	    "per_category": {"payment_card": "card_token"}, // held when the attribute is present and not false/empty
//	    "always": ["name", "email"]                     // held for everyone
//	  },
//	  "attributes": {             // further attributes criteria may select on
//	    "payment_service": {"type": "string"},
//	    "overseas_transfer": {"type": "bool"},
//	    "signup_at": {"type": "time", "format": "rfc3339"}  // or "unix", "unix_ms"
//	  },
//	  "indexes": [                // GSIs (projecting ALL) scoping may query
//	    {"name": "by-country", "partition_key": "country"}
//	  ],
//	  "subdivision_countries": ["US", "CA", "AU"],
//	  "default_locale": "en"
//	}
//
// Criteria (package criteria) name attributes by the logical names above (id,
// email, phone, locale, country, region, name, categories), by a key of
// "attributes", or by the raw name a logical field maps to; anything else is
// rejected before a scan starts. When the criteria pin an index's partition
// key (key = v, or key in [...], alone or as a member of a top-level "all"),
// scoping queries the index once per value instead of scanning the table. When the mapping says nothing about
// categories, every person is taken to hold every category of the report.
//
// # The synthetic population
//
// Generate(seed, i) returns user i of the population for seed: the same seed
// gives the same users, one at a time, so seeding is parallel and streaming.
// Most users are Korean (Korean names, locale ko, KR), with US (several
// states), EU, Japanese and Singaporean minorities; every address is at a
// reserved example domain; about 1 % of users share an address with the user
// before them (written in a different case and with spaces, as real data is)
// and about 2 % have no email. Some 40 % have a postal address on file (at
// made-up streets); half of those without email (1 % of all) have neither
// email nor phone, only a postal address: the postal export's people. The
// postal addresses come from a stream of their own, so adding them changed
// no other field of any user.
package usertable
