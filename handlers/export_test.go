package handlers

// TakePrintSlots occupies n of the 打印报名表 slots, as prints running elsewhere would; release gives them back.
func (a *App) TakePrintSlots(n int) (release func()) {
	for range n {
		a.printSlots <- struct{}{}
	}
	return func() {
		for range n {
			<-a.printSlots
		}
	}
}

// KeptRoutePath is the path reverse keeps for a route name ("" when it would ask echo).
func (a *App) KeptRoutePath(name string) string {
	kept, _ := routePaths.Load(a.Echo)
	paths, _ := kept.(map[string]string)
	return paths[name]
}

// PageHits is how many pages the page cache has answered from what it kept (0 on PostgreSQL: it keeps none).
func (a *App) PageHits() int64 {
	if a.pages == nil {
		return 0
	}
	return a.pages.hits.Load()
}
