//go:build !testhooks

package handlers

import "github.com/labstack/echo/v4"

// registerTestHooks adds nothing: the shipped binary has no test hooks.
func (a *App) registerTestHooks(*echo.Echo) {}
