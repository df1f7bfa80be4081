package ident_test

import (
	"errors"
	"fmt"

	"examcert/internal/ident"
)

func ExampleParseIDNumber() {
	id, err := ident.ParseIDNumber(" １１０１０５１９４９１２３１００２ｘ ")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Number, id.BirthDate.Format("2006-01-02"), id.Gender, id.Region)
	fmt.Println(ident.MaskIDNumber(id.Number))

	legacy, _ := ident.ParseIDNumber("110105491231002")
	fmt.Println(legacy.Number, legacy.Converted)
	// Output:
	// 11010519491231002X 1949-12-31 女 110105
	// 110105********002X
	// 11010519491231002X true
}

func ExampleError() {
	_, err := ident.ParseIDNumber("110101199003070013")
	var e *ident.Error
	if errors.As(err, &e) {
		fmt.Println(e.Rule, e.Error())
	}
	fmt.Println(errors.Is(err, ident.ErrChecksum))
	// Output:
	// checksum 身份证号校验码错误，请检查是否输入有误
	// true
}

func ExampleParseOrganizationCode() {
	for _, s := range []string{"91350100M000100Y43", "M000100Y-4", "91350100M000100Y44"} {
		credit, org, err := ident.ParseOrganizationCode(s)
		fmt.Printf("%q %q %v\n", credit, org, err)
	}
	// Output:
	// "91350100M000100Y43" "M000100Y4" <nil>
	// "" "M000100Y4" <nil>
	// "" "" 统一社会信用代码校验码错误，请检查是否输入有误
}
