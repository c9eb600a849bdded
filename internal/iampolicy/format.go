package iampolicy

import (
	"strings"
	"unicode/utf8"
)

// Format re-serialises a JSON document the way ECR returns stored
// repository and registry policies: Jackson's default pretty printer.
// Objects put each member on its own line, indented two spaces per level of
// object nesting, as `"key" : value`; arrays stay on one line as
// `[ a, b ]`, so an array of objects reads `[ {` ... `}, {` ... `} ]`; empty
// containers are `{ }` and `[ ]`. Member order (and any duplicate keys) is
// kept as written.
//
// Assumption: numbers keep their literal text. Jackson re-renders parsed
// doubles (1e3 becomes 1000.0), but policies practically never contain
// non-integer numbers.
func Format(policy string) (string, error) {
	n, err := parse(policy)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeNode(&b, n, 0)
	return b.String(), nil
}

// writeNode writes n; depth is the number of enclosing objects (Jackson's
// array indenter is inline, so arrays do not add a level).
func writeNode(b *strings.Builder, n *node, depth int) {
	switch n.kind {
	case kindNull:
		b.WriteString("null")
	case kindBool, kindNumber:
		b.WriteString(n.text)
	case kindString:
		writeString(b, n.text)
	case kindArray:
		if len(n.items) == 0 {
			b.WriteString("[ ]")
			return
		}
		b.WriteString("[ ")
		for i, it := range n.items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeNode(b, it, depth)
		}
		b.WriteString(" ]")
	case kindObject:
		if len(n.members) == 0 {
			b.WriteString("{ }")
			return
		}
		b.WriteByte('{')
		for i, m := range n.members {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, depth+1)
			writeString(b, m.key)
			b.WriteString(" : ")
			writeNode(b, m.value, depth+1)
		}
		newline(b, depth)
		b.WriteByte('}')
	}
}

func newline(b *strings.Builder, depth int) {
	b.WriteByte('\n')
	for range depth {
		b.WriteString("  ")
	}
}

const hexDigits = "0123456789ABCDEF"

// writeString quotes s with Jackson's escapes: `"` and `\`, the short forms
// \b \t \n \f \r, other control characters as \u00XX (upper-case hex);
// everything else, non-ASCII included, is written as is.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // invalid bytes become U+FFFD, as the decoder does
			i += size
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xF])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}
