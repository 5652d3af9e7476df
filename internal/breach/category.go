package breach

import (
	"fmt"
	"slices"
)

// Category is one kind of personal data, from a controlled vocabulary that
// maps onto each law's own notions (GDPR special categories, PIPA's sensitive
// and unique identifying information, US "personal information" definitions,
// the Credit Information Act's personal credit information).
type Category string

// The data categories a report, a user mapping and a rule may name.
const (
	CategoryName          Category = "name"               // full or family name
	CategoryEmail         Category = "email"              // email address
	CategoryPhone         Category = "phone"              // phone number
	CategoryPostalAddress Category = "postal_address"     // home or postal address
	CategoryDateOfBirth   Category = "date_of_birth"      // birth date
	CategoryRRN           Category = "rrn"                // Korean resident registration number (고유식별정보)
	CategoryNationalID    Category = "national_id"        // SSN, My Number, NRIC, Aadhaar, CPF and similar government ids
	CategoryPassport      Category = "passport"           // passport number
	CategoryDriverLicense Category = "driver_license"     // driver's licence or state id number
	CategoryFinancialAcct Category = "financial_account"  // bank or payment account number
	CategoryPaymentCard   Category = "payment_card"       // card number (with or without security code)
	CategoryCredentials   Category = "credentials"        // username or email with password or security answer
	CategoryCreditInfo    Category = "credit_information" // personal credit information (Korean CIUPA): transactions, scores, loans
	CategoryTransactions  Category = "transaction_history"
	CategoryHealth        Category = "health"               // medical or health-insurance information, PHI
	CategoryBiometric     Category = "biometric"            // biometric data used to identify
	CategoryGenetic       Category = "genetic"              // genetic data
	CategorySpecial       Category = "special_category"     // racial/ethnic origin, political opinion, religion, union membership, sex life or orientation
	CategoryCriminal      Category = "criminal"             // criminal convictions and offences
	CategoryChildren      Category = "children"             // data of children
	CategoryLocation      Category = "location"             // precise geolocation
	CategoryDeviceID      Category = "device_id"            // device or online identifiers, IP addresses
	CategoryTaxID         Category = "tax_id"               // taxpayer identification number
	CategoryInsurance     Category = "insurance"            // insurance policy or subscriber number
	CategoryEducation     Category = "education"            // schooling, degrees, grades
	CategoryEmployment    Category = "employment"           // employment history, CV or job-application content
	CategoryWages         Category = "wages"                // salary, wages, bonuses and other pay
	CategoryFamily        Category = "family_situation"     // marital status, family members, dependants
	CategoryVehicle       Category = "vehicle_registration" // vehicle registration (licence plate) number
	CategoryOrders        Category = "order_history"        // orders, invoices and delivery notes of purchases
)

// categories is the vocabulary in a fixed order, for validation and for
// stable output.
var categories = []Category{
	CategoryName, CategoryEmail, CategoryPhone, CategoryPostalAddress, CategoryDateOfBirth,
	CategoryRRN, CategoryNationalID, CategoryPassport, CategoryDriverLicense,
	CategoryFinancialAcct, CategoryPaymentCard, CategoryCredentials, CategoryCreditInfo, CategoryTransactions,
	CategoryHealth, CategoryBiometric, CategoryGenetic, CategorySpecial, CategoryCriminal, CategoryChildren,
	CategoryLocation, CategoryDeviceID, CategoryTaxID, CategoryInsurance,
	CategoryEducation, CategoryEmployment, CategoryWages, CategoryFamily, CategoryVehicle, CategoryOrders,
}

// Categories returns every known category in a fixed order.
func Categories() []Category { return slices.Clone(categories) }

// Valid reports whether c is in the vocabulary.
func (c Category) Valid() bool { return slices.Contains(categories, c) }

// ParseCategory returns the category named s, or an error that names it.
func ParseCategory(s string) (Category, error) {
	c := Category(s)
	if !c.Valid() {
		return "", fmt.Errorf("unknown data category %q", s)
	}
	return c, nil
}
