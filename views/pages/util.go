// Package pages holds one templ file per screen, with the plain view-model structs the handlers fill.
package pages

import "strconv"

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func itoa(n int) string { return strconv.Itoa(n) }

// Pair is a label and its value, for detail tables.
type Pair struct{ Label, Value string }
