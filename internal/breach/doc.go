// Package breach holds the vocabulary every stage of a breach case shares:
// the controlled list of personal-data categories, the kinds of recipient a
// law can require notice to, the content elements a notice or filing must
// carry, and how jurisdictions are written.
//
// Intake validates reports against it, the rulebook maps each law's notions
// onto it, scoping records each person's exposed categories in it, and
// drafting checks rendered documents for its content elements. Keeping it in
// one place is what lets a rule written against "rrn" or "remedies" be
// checked end to end. The lists only grow: a value, once stored in a case,
// keeps its meaning.
package breach
