package pages

import "slices"

// contains says whether list holds s (a reason ticked).
func contains(list []string, s string) bool { return slices.Contains(list, s) }
