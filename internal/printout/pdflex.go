package printout

import (
	"errors"
	"strconv"
)

// A small lexer for the PDF syntax (ISO 32000-1 §7.2–7.3), enough for pdfCat to find the objects of a PDF, the
// references between them and a few entries of their dictionaries. It never interprets a stream's bytes.

type pdfTokKind uint8

const (
	tokEOF pdfTokKind = iota
	tokInt
	tokReal
	tokName
	tokString    // (…) or <…>
	tokKeyword   // obj, endobj, stream, R, true, null …
	tokDictOpen  // <<
	tokDictClose // >>
	tokArrOpen   // [
	tokArrClose  // ]
	tokBrace     // { or }, only in PostScript calculator functions
)

// pdfTok is a token: its kind and where it lies in the lexed bytes.
type pdfTok struct {
	kind       pdfTokKind
	start, end int
}

var errPDFSyntax = errors.New("printout: pdf: syntax error")

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isPDFDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

type pdfLexer struct {
	b []byte
	p int
}

// next returns the next token, skipping white space and comments.
func (l *pdfLexer) next() (pdfTok, error) {
	b := l.b
	for l.p < len(b) {
		if isPDFSpace(b[l.p]) {
			l.p++
		} else if b[l.p] == '%' {
			for l.p < len(b) && b[l.p] != '\n' && b[l.p] != '\r' {
				l.p++
			}
		} else {
			break
		}
	}
	start := l.p
	if start >= len(b) {
		return pdfTok{kind: tokEOF, start: start, end: start}, nil
	}
	tok := func(k pdfTokKind, n int) (pdfTok, error) {
		l.p = start + n
		return pdfTok{kind: k, start: start, end: l.p}, nil
	}
	switch c := b[start]; {
	case c == '<' && start+1 < len(b) && b[start+1] == '<':
		return tok(tokDictOpen, 2)
	case c == '>' && start+1 < len(b) && b[start+1] == '>':
		return tok(tokDictClose, 2)
	case c == '[':
		return tok(tokArrOpen, 1)
	case c == ']':
		return tok(tokArrClose, 1)
	case c == '{' || c == '}':
		return tok(tokBrace, 1)
	case c == '<':
		for i := start + 1; i < len(b); i++ {
			if b[i] == '>' {
				return tok(tokString, i+1-start)
			}
		}
		return pdfTok{}, errPDFSyntax
	case c == '(':
		depth := 0
		for i := start; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					return tok(tokString, i+1-start)
				}
			}
		}
		return pdfTok{}, errPDFSyntax
	case c == '/':
		i := start + 1
		for i < len(b) && !isPDFSpace(b[i]) && !isPDFDelim(b[i]) {
			i++
		}
		return tok(tokName, i-start)
	case c == ')' || c == '>':
		return pdfTok{}, errPDFSyntax
	default:
		i := start
		for i < len(b) && !isPDFSpace(b[i]) && !isPDFDelim(b[i]) {
			i++
		}
		return tok(numberKind(b[start:i]), i-start)
	}
}

// numberKind tells an integer or a real number from a keyword.
func numberKind(s []byte) pdfTokKind {
	digits, dots := 0, 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case (c == '+' || c == '-') && i == 0:
		default:
			return tokKeyword
		}
	}
	switch {
	case digits == 0 || dots > 1:
		return tokKeyword
	case dots == 1:
		return tokReal
	}
	return tokInt
}

// text is the token's bytes.
func (l *pdfLexer) text(t pdfTok) string { return string(l.b[t.start:t.end]) }

// int is an integer token's value; ok is false for any other token or a value out of range.
func (l *pdfLexer) int(t pdfTok) (int, bool) {
	if t.kind != tokInt {
		return 0, false
	}
	n, err := strconv.Atoi(string(l.b[t.start:t.end]))
	return n, err == nil
}

// expect reads the next token and checks that it is the keyword kw.
func (l *pdfLexer) expect(kw string) (pdfTok, error) {
	t, err := l.next()
	if err != nil {
		return t, err
	}
	if t.kind != tokKeyword || l.text(t) != kw {
		return t, errPDFSyntax
	}
	return t, nil
}
