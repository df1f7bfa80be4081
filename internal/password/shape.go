package password

import (
	"strings"
	"sync"
	"unicode"
)

// Passwords that pass the composition rules by decoration alone: one common word with digits and a symbol around
// it (Password1!, Admin123!, Beijing@2026, Test@1234), or runs of neighbouring keys and sequences (Qwer1234!,
// 1qaz@WSX). An attacker's list tries exactly these first, so the policy refuses them.

// extraWords are base words common in passwords here that the English-centred list lacks as bare words.
var extraWords = []string{
	"admin", "administrator", "test", "testing", "root", "user", "guest", "demo", "login", "system", "manager",
	"welcome", "hello", "love", "pass", "passwd", "super", "master", "letmein", "beijing", "shanghai", "china",
	"zhongguo", "woaini", "aini", "wang", "zhang", "liu", "chen", "yang", "huang", "zhao", "zhou", "sun", "wu",
	"company", "office", "server", "exam", "kaoshi", "zhengshu", "jianshe", "gongsi",
}

// keyRows are sequences whose runs (forwards or backwards, 3 keys or more) make a keyboard pattern. Shifted
// symbols are read as their digits first (! as 1, @ as 2 …).
var keyRows = []string{
	"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp", "zaqxswcdevfrbgtnhymjukilop",
}

var (
	baseOnce  sync.Once
	baseWords map[string]struct{}
)

// loadBaseWords is every common password's letters alone (password1 → password), plus extraWords.
func loadBaseWords() {
	baseWords = map[string]struct{}{}
	for _, w := range extraWords {
		baseWords[w] = struct{}{}
	}
	for _, line := range strings.Split(commonList, "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if w := strings.Trim(line, "0123456789!@#$%^&*()-_=+.,?~ "); len(w) >= 4 && isLetters(w) {
			baseWords[w] = struct{}{}
		}
	}
}

// decoratedWord says whether pw is one common word (after undoing p@ssw0rd-style substitutions) with only digits
// and symbols before or after it, or a word too short to count.
func decoratedWord(pw string) bool {
	core := strings.TrimFunc(strings.ToLower(pw), func(r rune) bool { return !unicode.IsLetter(r) })
	core = leet.Replace(core)
	if core == "" || !isLetters(core) {
		return false
	}
	if len(core) < 4 || keyboardRun(core) {
		return true
	}
	baseOnce.Do(loadBaseWords)
	_, ok := baseWords[core]
	return ok
}

var leet = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t")

var shifted = strings.NewReplacer("!", "1", "@", "2", "#", "3", "$", "4", "%", "5", "^", "6", "&", "7", "*", "8", "(", "9", ")", "0")

// keyboardPattern says whether all of pw but at most one character is covered by runs of neighbouring keys,
// alphabet or digit sequences, or repeats (three or more each).
func keyboardPattern(pw string) bool {
	s := []rune(shifted.Replace(strings.ToLower(pw)))
	covered := make([]bool, len(s))
	for i := 0; i+3 <= len(s); i++ {
		for n := len(s) - i; n >= 3; n-- {
			if keyboardRun(string(s[i : i+n])) {
				for k := i; k < i+n; k++ {
					covered[k] = true
				}
				break
			}
		}
	}
	left := 0
	for _, c := range covered {
		if !c {
			left++
		}
	}
	return left <= 1
}

// keyboardRun says whether s (3 or more characters) is a run on one of keyRows, either way, or one repeated key.
func keyboardRun(s string) bool {
	if len(s) < 3 {
		return false
	}
	if strings.Count(s, s[:1]) == len(s) {
		return true
	}
	for _, row := range keyRows {
		if strings.Contains(row, s) || strings.Contains(reverse(row), s) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
