// Package national reaches the national platform of construction certificates (全国建筑施工安全监管信息系统): the
// list of certificates other provinces released for transfer (办理转出), which 证书进京 picks from (LIFECYCLE §10).
// The platform sits behind Platform, so a server without it (no URL set) and tests (nationaltest) need no network.
package national

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OutgoingCertificate is one certificate another province set to 06 办理转出.
type OutgoingCertificate struct {
	LicenseID    string    // 电子证照标识 of the original (关联证照标识 of the Beijing one)
	Number       string    // 证书编号
	Name         string    // 姓名
	IDNumber     string    // 身份证号
	CategoryCode string    // 类别: A, B, C1, C2, C3
	Authority    string    // 发证机关
	IssuedOn     time.Time // 发证日期 (初次)
	ValidFrom    time.Time // 有效期起
	ValidUntil   time.Time // 有效期止
	Employer     string    // 原聘用单位
}

// Platform answers the outgoing certificates of one person.
type Platform interface {
	Outgoing(ctx context.Context, idNumber string) ([]OutgoingCertificate, error)
}

// ErrUnavailable wraps every failure to get an answer from the platform.
var ErrUnavailable = errors.New("全国平台暂不可用")

// Client is the HTTP client of the platform: GET {BaseURL}/outgoing?id_number=… answers
// {"certificates":[{…}]} with dates as YYYY-MM-DD.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// New is a Client of the platform at baseURL, or nil (no platform) when baseURL is empty.
func New(baseURL string) Platform {
	baseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if baseURL == "" {
		return nil
	}
	return &Client{BaseURL: baseURL, HTTP: &http.Client{Timeout: 10 * time.Second}}
}

// Wire is one certificate as the platform sends it.
type Wire struct {
	LicenseID    string `json:"license_id"`
	Number       string `json:"number"`
	Name         string `json:"name"`
	IDNumber     string `json:"id_number"`
	CategoryCode string `json:"category_code"`
	Authority    string `json:"authority"`
	IssuedOn     string `json:"issued_on"`
	ValidFrom    string `json:"valid_from"`
	ValidUntil   string `json:"valid_until"`
	Employer     string `json:"employer"`
}

// Answer is the platform's answer to /outgoing.
type Answer struct {
	Certificates []Wire `json:"certificates"`
}

const maxAnswer = 1 << 20

// Outgoing asks the platform for idNumber's outgoing certificates. Any failure (network, status, a malformed answer)
// is ErrUnavailable, with what went wrong.
func (c *Client) Outgoing(ctx context.Context, idNumber string) ([]OutgoingCertificate, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/outgoing?"+url.Values{"id_number": {idNumber}}.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP %d", ErrUnavailable, resp.StatusCode)
	}
	var ans Answer
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&ans); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	out := make([]OutgoingCertificate, 0, len(ans.Certificates))
	for _, w := range ans.Certificates {
		oc, err := w.decode()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if oc.IDNumber == idNumber {
			out = append(out, oc)
		}
	}
	return out, nil
}

func (w Wire) decode() (OutgoingCertificate, error) {
	oc := OutgoingCertificate{LicenseID: w.LicenseID, Number: w.Number, Name: w.Name, IDNumber: w.IDNumber,
		CategoryCode: w.CategoryCode, Authority: w.Authority, Employer: w.Employer}
	for _, d := range []struct {
		s   string
		dst *time.Time
	}{{w.IssuedOn, &oc.IssuedOn}, {w.ValidFrom, &oc.ValidFrom}, {w.ValidUntil, &oc.ValidUntil}} {
		t, err := time.Parse(time.DateOnly, d.s)
		if err != nil {
			return oc, fmt.Errorf("certificate %q: bad date %q", w.Number, d.s)
		}
		*d.dst = t
	}
	if w.Number == "" || w.LicenseID == "" {
		return oc, errors.New("certificate without number or license id")
	}
	return oc, nil
}

// Encode is c as the platform sends it (used by nationaltest).
func Encode(c OutgoingCertificate) Wire {
	return Wire{LicenseID: c.LicenseID, Number: c.Number, Name: c.Name, IDNumber: c.IDNumber, CategoryCode: c.CategoryCode,
		Authority: c.Authority, IssuedOn: c.IssuedOn.Format(time.DateOnly), ValidFrom: c.ValidFrom.Format(time.DateOnly),
		ValidUntil: c.ValidUntil.Format(time.DateOnly), Employer: c.Employer}
}

// Find is the certificate of list with the license id, if any.
func Find(list []OutgoingCertificate, licenseID string) (OutgoingCertificate, bool) {
	for _, c := range list {
		if c.LicenseID == licenseID {
			return c, true
		}
	}
	return OutgoingCertificate{}, false
}
