package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Benchmarks of full-text search on a synthetic corpus: PARLEY_BENCH_THREADS
// threads (default 10,000) with 1 to 19 chats each (10 on average), words
// drawn from a Zipf distribution over 50,000 made-up words, one chat in ten
// in Chinese or Japanese (characters drawn from a Zipf distribution too), and a rare word in one chat in 10,000. They run on
// SQLite, and on PostgreSQL when PARLEY_TEST_DATABASE_URL is set:
//
//	go test ./internal/sqlstore -run '^$' -bench 'Search' -benchtime 200x
//
// BenchmarkSearch logs how long loading the corpus took (with indexing in
// the same transactions) and the index size, then measures a full rebuild
// and the latency of queries (p50 and p99 per query). BenchmarkSearchWrite
// measures posting one chat per transaction with and without the index.

func benchThreads(b *testing.B) int {
	if v := os.Getenv("PARLEY_BENCH_THREADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("PARLEY_BENCH_THREADS=%q is not a positive number", v)
		}
		return n
	}
	return 10000
}

// benchStores runs fn on a fresh store of each engine available.
func benchStores(b *testing.B, fn func(b *testing.B, s *Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, openBench(b, filepath.Join(b.TempDir(), "bench.db"))) })
	b.Run("postgres", func(b *testing.B) {
		base := os.Getenv("PARLEY_TEST_DATABASE_URL")
		if base == "" {
			b.Skip("PARLEY_TEST_DATABASE_URL not set")
		}
		fn(b, openBench(b, benchSchema(b, base)))
	})
}

func openBench(b *testing.B, dsn string) *Store {
	s, err := Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchSchema makes a schema for one benchmark, dropped when it ends (the
// same as sqlstoretest.PostgresDSN, which this package cannot import).
func benchSchema(b *testing.B, base string) string {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	schema := "b_" + strings.ToLower(rand.Text())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// textGen writes the corpus's chats.
type textGen struct {
	rng     *mrand.Rand
	zipf    *mrand.Zipf // word ranks
	cjkZipf *mrand.Zipf // character ranks
	cjk     []rune
}

const rareWord = "quasarwhale"

func newTextGen(seed uint64) *textGen {
	rng := mrand.New(mrand.NewPCG(seed, seed+1))
	cjk := []rune(cjkChars)
	return &textGen{rng: rng, zipf: mrand.NewZipf(rng, 1.07, 1, 49999), cjkZipf: mrand.NewZipf(rng, 1.07, 1, uint64(len(cjk)-1)), cjk: cjk}
}

// cjkChars are frequent Chinese characters, most frequent first, and the
// Japanese kana.
const cjkChars = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域讨参あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンー"

var syllables = []string{"ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "be", "do", "fu", "ge", "hi", "ju", "py", "zo"}

// word is the made-up word of a rank: its base-16 digits as syllables, at
// least two of them.
func word(rank uint64) string {
	var b strings.Builder
	for i := 0; i < 2 || rank > 0; i++ {
		b.WriteString(syllables[rank%16])
		rank /= 16
	}
	return b.String()
}

func (g *textGen) chat() string {
	if g.rng.IntN(10) == 0 {
		n := 8 + g.rng.IntN(32)
		r := make([]rune, n)
		for i := range r {
			r[i] = g.cjk[g.cjkZipf.Uint64()]
		}
		return string(r)
	}
	n := 5 + g.rng.IntN(30)
	words := make([]string, n)
	for i := range words {
		words[i] = word(g.zipf.Uint64())
	}
	if g.rng.IntN(10000) == 0 {
		words[g.rng.IntN(n)] = rareWord
	}
	return strings.Join(words, " ")
}

// corpus is what buildCorpus wrote.
type corpus struct {
	org       chat.OrgID
	reader    chat.UserID
	users     []chat.UserID
	chans     []chat.ChannelID
	start     time.Time
	threads   int
	chats     int
	textBytes int64
	load      time.Duration
}

// buildCorpus writes an org with 20 channels and 200 users, and threads
// with their chats, 50 threads per unit of work. The reader is a member of
// 15 of the channels.
func buildCorpus(b *testing.B, s *Store, threads int) *corpus {
	ctx := context.Background()
	c := &corpus{start: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), threads: threads}
	g := newTextGen(42)
	err := s.Update(ctx, func(tx chat.Tx) error {
		org := &chat.Org{Slug: "bench", JoinSecret: "bench", Flags: map[string]bool{}, CreatedAt: c.start, UpdatedAt: c.start}
		if err := tx.InsertOrg(ctx, org); err != nil {
			return err
		}
		c.org = org.ID
		for i := range 200 {
			u := &chat.User{OrgID: org.ID, Username: fmt.Sprint("u", i), Level: chat.LevelMember, CreatedAt: c.start, UpdatedAt: c.start}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			c.users = append(c.users, u.ID)
		}
		c.reader = c.users[0]
		for i := range 20 {
			ch := &chat.Channel{OrgID: org.ID, Name: fmt.Sprint("c", i), Visibility: chat.VisibleMembers, CreatedAt: c.start, UpdatedAt: c.start}
			if err := tx.InsertChannel(ctx, ch); err != nil {
				return err
			}
			c.chans = append(c.chans, ch.ID)
			if i < 15 {
				if _, err := tx.AddChannelMember(ctx, ch.ID, c.reader, c.start); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	for first := 0; first < threads; first += 50 {
		err := s.Update(ctx, func(tx chat.Tx) error {
			for i := first; i < min(first+50, threads); i++ {
				at := c.start.Add(time.Duration(i) * time.Minute)
				author := c.users[g.rng.IntN(len(c.users))]
				th := &chat.Thread{OrgID: c.org, Kind: chat.KindTopic, Subject: subjectOf(g.chat()), AuthorID: author,
					ChannelIDs: []chat.ChannelID{c.chans[i%len(c.chans)]}, Participants: []chat.UserID{author}, Tags: []string{},
					CreatedAt: at, UpdatedAt: at}
				if err := tx.InsertThread(ctx, th); err != nil {
					return err
				}
				for j := range 1 + g.rng.IntN(19) {
					who := c.users[g.rng.IntN(len(c.users))]
					if err := tx.AddParticipants(ctx, th.ID, []chat.UserID{who}, at); err != nil {
						return err
					}
					seq, err := tx.NextSeq(ctx, th.ID, at.Add(time.Duration(j)*time.Second))
					if err != nil {
						return err
					}
					m := &chat.Message{OrgID: c.org, ThreadID: th.ID, Seq: seq, AuthorID: who, Text: g.chat(), CreatedAt: at, UpdatedAt: at}
					if err := tx.InsertMessage(ctx, m); err != nil {
						return err
					}
					c.chats++
					c.textBytes += int64(len(m.Text))
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	c.load = time.Since(began)
	return c
}

func subjectOf(text string) string {
	if w := strings.Fields(text); len(w) > 8 {
		return strings.Join(w[:8], " ")
	}
	return text
}

func (s *Store) indexBytes(b *testing.B) int64 {
	var n int64
	err := s.View(context.Background(), func(rt chat.ReadTx) error {
		var err error
		n, err = s.fts.size(context.Background(), rt.(*tx))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func BenchmarkSearch(b *testing.B) {
	benchStores(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		c := buildCorpus(b, s, benchThreads(b))
		size := s.indexBytes(b)

		b.Run("Rebuild", func(b *testing.B) {
			// Logged here: a benchmark with sub-benchmarks prints no log.
			b.Logf("%s: loaded %d threads, %d chats (%.1f MB of text) in %v: %.0f chats/s with indexing; index %.1f MB (%.0f bytes/chat, %.2f× the text)",
				s.engine, c.threads, c.chats, float64(c.textBytes)/1e6, c.load.Round(time.Millisecond), float64(c.chats)/c.load.Seconds(),
				float64(size)/1e6, float64(size)/float64(c.chats), float64(size)/float64(c.textBytes))
			for b.Loop() {
				if err := s.RebuildSearchIndex(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.chats)*float64(b.N)/b.Elapsed().Seconds(), "chats/s")
			b.ReportMetric(float64(s.indexBytes(b))/1e6, "index-MB")
		})

		scope := threadScopeOf(c)
		terms := func(q string) []chat.SearchTerm {
			t, err := chat.ParseSearchText(q)
			if err != nil {
				b.Fatal(err)
			}
			return t
		}
		filter := chat.And{chat.HasAny{Field: chat.FieldChannelIDs, IDs: []int64{int64(c.chans[0]), int64(c.chans[1]), int64(c.chans[2])}},
			chat.InTime{Field: chat.FieldCreatedAt, From: c.start.Add(time.Duration(c.threads/2) * time.Minute)}}
		common, medium := word(0)+" ", word(40)+" "
		relevance := []chat.SortKey{{Field: chat.SortTextMatch, Desc: true}, {Field: chat.SortUpdatedAt, Desc: true}}
		recent := []chat.SortKey{{Field: chat.SortUpdatedAt, Desc: true}}
		queries := []struct {
			name string
			q    chat.ThreadQuery
		}{
			{"common", chat.ThreadQuery{Terms: terms(common), Sort: relevance}},
			{"common+filter", chat.ThreadQuery{Terms: terms(common), Filter: filter, Sort: relevance}},
			{"rare", chat.ThreadQuery{Terms: terms(rareWord + " "), Sort: relevance}},
			{"rare+filter", chat.ThreadQuery{Terms: terms(rareWord + " "), Filter: filter, Sort: relevance}},
			{"common+medium", chat.ThreadQuery{Terms: terms(common + medium), Sort: relevance}},
			{"prefix", chat.ThreadQuery{Terms: terms(word(40)[:3]), Sort: relevance}},
			{"cjk-2", chat.ThreadQuery{Terms: terms("的一"), Sort: relevance}},
			{"similar", similarQuery(b, s, c)},
			{"list", chat.ThreadQuery{Sort: recent}},
			{"list+filter", chat.ThreadQuery{Filter: filter, Sort: recent}},
		}
		for _, q := range queries {
			if q.q.MinTerms == 0 {
				q.q.MinTerms = len(q.q.Terms)
			}
			q.q.Limit = 20
			b.Run("Query/"+q.name, func(b *testing.B) {
				var hits int
				latencies(b, func() {
					err := s.View(ctx, func(tx chat.ReadTx) error {
						h, err := tx.SearchThreads(ctx, scope, q.q)
						hits = len(h)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				})
				b.ReportMetric(float64(hits), "hits")
			})
		}

		// The whole use case: scope, search, then reactions, read state and
		// highlights of each of the 20 results.
		svc := chat.New(chat.Deps{Store: s, Files: benchFiles{}, Tokens: benchTokens{}}, chat.Config{})
		reader := chat.MemberActor(c.org, c.reader)
		for _, q := range []struct{ name, text string }{{"common", common}, {"rare", rareWord}} {
			b.Run("Service/"+q.name, func(b *testing.B) {
				latencies(b, func() {
					if _, err := svc.Search(ctx, reader, chat.SearchQuery{Text: q.text}); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	})
}

// similarQuery is the query GET /v1/threads/{id} runs for the similar
// threads of the corpus's first thread: its subject's words (of four
// letters or more, as chat.similarTerms picks them), at least two of them,
// in subjects, summaries and tags.
func similarQuery(b *testing.B, s *Store, c *corpus) chat.ThreadQuery {
	var subject string
	err := s.View(context.Background(), func(rt chat.ReadTx) error {
		return rt.(*tx).queryRow(context.Background(), `SELECT subject FROM threads WHERE org_id = ? ORDER BY id LIMIT 1`, int64(c.org)).Scan(&subject)
	})
	if err != nil {
		b.Fatal(err)
	}
	var terms []chat.SearchTerm
	for _, w := range strings.Fields(subject) {
		if len([]rune(w)) >= 4 && !slices.ContainsFunc(terms, func(t chat.SearchTerm) bool { return t.Text == w }) {
			terms = append(terms, chat.SearchTerm{Text: w, Tokens: []string{w}})
		}
	}
	return chat.ThreadQuery{Terms: terms, MinTerms: min(2, len(terms)), Topics: true,
		Sort: []chat.SortKey{{Field: chat.SortTextMatch, Desc: true}, {Field: chat.SortUpdatedAt, Desc: true}}}
}

// threadScopeOf is what the corpus's reader may see.
func threadScopeOf(c *corpus) chat.ThreadScope {
	return chat.ThreadScope{OrgID: c.org, Channels: c.chans[:15], Participant: c.reader}
}

// latencies runs fn b.N times and reports the median and 99th percentile.
func latencies(b *testing.B, fn func()) {
	var ds []time.Duration
	for b.Loop() {
		t := time.Now()
		fn()
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))]) / 1e6 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkSearchWrite posts chats into 100 threads, one per unit of work
// (tx1: commit-bound, as users post) and a hundred per unit of work (tx100:
// the indexing itself shows), with the index and without it, and reports
// chats per second.
func BenchmarkSearchWrite(b *testing.B) {
	benchStores(b, func(b *testing.B, s *Store) {
		c := buildCorpus(b, s, 100)
		g := newTextGen(7)
		for _, perTx := range []int{1, 100} {
			for _, indexed := range []bool{true, false} {
				name := fmt.Sprintf("tx%d/indexed", perTx)
				if !indexed {
					name = fmt.Sprintf("tx%d/unindexed", perTx)
				}
				b.Run(name, func(b *testing.B) {
					if !indexed {
						fts := s.fts
						s.fts = noFTS{}
						defer func() { s.fts = fts }()
					}
					ctx := context.Background()
					i := 0
					for b.Loop() {
						err := s.Update(ctx, func(tx chat.Tx) error {
							for range perTx {
								i++
								th := chat.ThreadID(1 + i%100)
								seq, err := tx.NextSeq(ctx, th, c.start)
								if err != nil {
									return err
								}
								if err := tx.InsertMessage(ctx, &chat.Message{OrgID: c.org, ThreadID: th, Seq: seq, AuthorID: c.reader,
									Text: g.chat(), CreatedAt: c.start, UpdatedAt: c.start}); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N*perTx)/b.Elapsed().Seconds(), "chats/s")
				})
			}
		}
	})
}

// noFTS is an index that keeps nothing, to measure writes without one.
type noFTS struct{}

func (noFTS) insert(context.Context, *tx, []ftsDoc) error               { return nil }
func (noFTS) remove(context.Context, *tx, []int64) error                { return nil }
func (noFTS) removeThread(context.Context, *tx, chat.ThreadID) error    { return nil }
func (noFTS) rebuild(_ context.Context, _ *tx, fill func() error) error { return fill() }
func (noFTS) match([]string, bool) (string, any)                        { return "", nil }
func (noFTS) size(context.Context, *tx) (int64, error)                  { return 0, nil }

// benchFiles and benchTokens satisfy chat.New; searches use neither.
type (
	benchFiles  struct{}
	benchTokens struct{}
)

func (benchFiles) Put(context.Context, string, io.Reader, int64, string) error { return nil }
func (benchFiles) Open(context.Context, string) (io.ReadCloser, chat.FileInfo, error) {
	return nil, chat.FileInfo{}, chat.ErrNotFound
}
func (benchFiles) Delete(context.Context, string) error { return nil }
func (benchTokens) Issue(chat.Claims) (string, error)   { return "", nil }
func (benchTokens) Parse(string) (chat.Claims, error)   { return chat.Claims{}, chat.ErrUnauthenticated }
