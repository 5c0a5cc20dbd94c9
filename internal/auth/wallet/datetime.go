package wallet

import (
	"fmt"
	"strings"
	"time"
)

// parseDateTime parses an RFC 3339 date-time:
//
//	date-time    = full-date "T" full-time
//	full-date    = 4DIGIT "-" 2DIGIT "-" 2DIGIT
//	full-time    = 2DIGIT ":" 2DIGIT ":" 2DIGIT [ "." 1*DIGIT ] time-offset
//	time-offset  = "Z" / ( "+" / "-" ) 2DIGIT ":" 2DIGIT
//
// "T" and "Z" may be lowercase (ABNF literals are case-insensitive). The
// month, day (for that month and year), hour 00-23, minute 00-59, second
// 00-60 and offset (hours 00-23, minutes 00-59) are range-checked. A leap
// second (:60) is accepted and, since time.Time cannot hold one, becomes the
// first second of the next minute. Digits of the fraction beyond nanoseconds
// are dropped.
func parseDateTime(s string) (time.Time, error) {
	bad := func(format string, args ...any) (time.Time, error) {
		return time.Time{}, fmt.Errorf("invalid RFC 3339 date-time %q: %s", truncate(s), fmt.Sprintf(format, args...))
	}
	// num reads n digits at i, or returns -1.
	num := func(i, n int) int {
		if i+n > len(s) {
			return -1
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if !isDigit(c) {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	// at reports whether s[i] is one of chars.
	at := func(i int, chars string) bool {
		return i < len(s) && strings.IndexByte(chars, s[i]) >= 0
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	if year < 0 || month < 0 || day < 0 || !at(4, "-") || !at(7, "-") {
		return bad("want YYYY-MM-DD date")
	}
	if !at(10, "Tt") {
		return bad("want T between date and time")
	}
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if hour < 0 || minute < 0 || sec < 0 || !at(13, ":") || !at(16, ":") {
		return bad("want HH:MM:SS time")
	}
	switch {
	case month < 1 || month > 12:
		return bad("month %02d out of range", month)
	case day < 1 || day > daysIn(month, year):
		return bad("day %02d out of range for %04d-%02d", day, year, month)
	case hour > 23:
		return bad("hour %02d out of range", hour)
	case minute > 59:
		return bad("minute %02d out of range", minute)
	case sec > 60:
		return bad("second %02d out of range", sec)
	}

	rest := s[19:]
	nsec := 0
	if rest != "" && rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			if i <= 9 {
				nsec = nsec*10 + int(rest[i]-'0')
			}
			i++
		}
		if i == 1 {
			return bad("want digits after the decimal point")
		}
		for d := i; d <= 9; d++ {
			nsec *= 10
		}
		rest = rest[i:]
	}

	var loc *time.Location
	switch {
	case rest == "Z" || rest == "z":
		loc = time.UTC
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, om := num(len(s)-5, 2), num(len(s)-2, 2)
		if oh < 0 || om < 0 {
			return bad("want time offset Z or ±HH:MM")
		}
		if oh > 23 || om > 59 {
			return bad("time offset %s out of range", rest)
		}
		off := oh*3600 + om*60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	default:
		return bad("want time offset Z or ±HH:MM")
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), nil
}

// daysIn returns the number of days of month in the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
