// Package ident parses and validates Chinese identity numbers (公民身份号码,
// GB 11643-1999) and organization identifiers (统一社会信用代码, GB 32100-2015;
// 组织机构代码, GB 11714-1997), reporting problems with Chinese messages that
// can be shown to users as-is.
package ident
