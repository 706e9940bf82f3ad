package console

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		fsrv.ServeHTTP(w, r)
	})
}

type pageInfo struct{ name, title string }

// pages are the dashboard's pages, in the menu's order. Each is the
// same shell; app.js fills it from the API.
var pages = []pageInfo{
	{"overview", "Overview"}, {"phones", "Phones"}, {"subscribers", "Subscribers"}, {"messages", "Messages"},
	{"calls", "Calls"}, {"radio", "Radio"}, {"config", "Configuration"}, {"logs", "Logs"}, {"security", "Security"},
}

var tmpl = template.Must(template.ParseFS(staticFS, "static/*.html"))

type pageData struct {
	Page, Title string
	Pages       []navItem
	CSRF        string
	Fingerprint string
	Error       string
	How         string
	Status      *Status
}

type navItem struct{ Name, Title string }

func (s *Server) render(w http.ResponseWriter, code int, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	d.Fingerprint = s.fp
	d.How = setupHow
	tmpl.ExecuteTemplate(w, name, d)
}

// page serves a dashboard page to a logged-in browser; without a
// credential set, the read-only setup page; without a session, the login.
func (s *Server) page(name string) http.HandlerFunc {
	title := name
	for _, p := range pages {
		if p.name == name {
			title = p.title
		}
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.creds.HasAdmin() {
			st := s.status()
			s.render(w, http.StatusOK, "setup.html", pageData{Title: "Set a password", Status: &st})
			return
		}
		c := s.identify(r)
		if c == nil || c.csrf == "" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		d := pageData{Page: name, Title: title, CSRF: c.csrf}
		for _, p := range pages {
			d.Pages = append(d.Pages, navItem{p.name, p.title})
		}
		s.render(w, http.StatusOK, "page.html", d)
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if !s.creds.HasAdmin() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login.html", pageData{Title: "Log in"})
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.render(w, http.StatusForbidden, "login.html", pageData{Title: "Log in", Error: "cross-site request refused"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "login.html", pageData{Title: "Log in", Error: "bad form"})
		return
	}
	code, msg, ss := s.login(r, r.PostForm.Get("password"))
	if ss == nil {
		s.render(w, code, "login.html", pageData{Title: "Log in", Error: msg})
		return
	}
	s.setCookie(w, r, ss)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
