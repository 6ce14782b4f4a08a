# fuzz/fuzz.mk — the libFuzzer build (GNU make), driven by `make fuzz` (mk/fuzz.am), which passes:
#   LIB_SOURCES  the library's sources, from the automake variable (src/*.c, headers are ignored)
#   TOP_SRCDIR, TOP_BUILDDIR, FUZZ_CC, FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_ARGS, DEP_CFLAGS, DEP_LIBS
# Everything is built with clang and -fsanitize=fuzzer,address,undefined into fuzz/build/ of the
# build tree, apart from the gcc build of `make all`.  See docs/fuzzing.md.
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 10
FUZZ_ARGS ?=
B := fuzz/build
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FCFLAGS := -g -O1 -std=gnu11 -fopenmp $(SAN) -I$(TOP_SRCDIR)/src -I$(TOP_SRCDIR)/fuzz -I$(TOP_BUILDDIR) \
	-DHAVE_CONFIG_H -DFUZZ_SRCDIR='"$(abspath $(TOP_SRCDIR))"' $(DEP_CFLAGS)
LIB_C := $(filter %.c,$(LIB_SOURCES))
LIB_O := $(patsubst %.c,$(B)/lib/%.o,$(notdir $(LIB_C)))
BINS := $(patsubst %,$(B)/fuzz_%,$(FUZZ_TARGETS))

vpath %.c $(sort $(dir $(addprefix $(TOP_SRCDIR)/,$(LIB_C))))

.PHONY: build run
build: $(BINS)

$(B)/lib/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FCFLAGS) -fsanitize=fuzzer-no-link -w -MMD -MP -c -o $@ $<

$(B)/libals-fuzz.a: $(LIB_O)
	rm -f $@ && ar cr $@ $^

$(B)/fuzz_%: $(TOP_SRCDIR)/fuzz/fuzz_%.c $(TOP_SRCDIR)/fuzz/fuzz_common.h $(B)/libals-fuzz.a
	$(FUZZ_CC) $(FCFLAGS) -fsanitize=fuzzer -Wall -Wextra -MMD -MP -MF $@.d -o $@ $< $(B)/libals-fuzz.a $(DEP_LIBS) -lm

# Header dependencies (-MMD): a changed header rebuilds every object and target that includes it,
# so a library struct never differs between the archive and a target.
-include $(wildcard $(B)/lib/*.d $(B)/*.d)

# Each target for FUZZ_SECONDS seconds on a working corpus (fuzz/build/corpus/T, where new inputs
# go) plus the seed corpus of the tree (read only).  Any crash, leak or sanitizer report fails.
run: build
	@fail=0; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(B)/corpus/$$t $(B)/artifacts; \
	    dict=; [ -f $(TOP_SRCDIR)/fuzz/$$t.dict ] && dict=-dict=$(TOP_SRCDIR)/fuzz/$$t.dict; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    if OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	        ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	        LSAN_OPTIONS=suppressions=$(TOP_SRCDIR)/tests/lsan.supp:print_suppressions=0 \
	        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	        $(B)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	            $$dict -artifact_prefix=$(B)/artifacts/$$t- $(FUZZ_ARGS) \
	            $(B)/corpus/$$t $(TOP_SRCDIR)/fuzz/corpus/$$t >$(B)/$$t.log 2>&1; then \
	        grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+ +DONE)' $(B)/$$t.log | tr '\n' ' '; echo; \
	        echo "fuzz: $$t ok"; \
	    else \
	        grep -vE "^#[0-9]+ +(REDUCE|NEW|pulse)" $(B)/$$t.log; echo "fuzz: $$t FAILED (log: $(B)/$$t.log, input: $(B)/artifacts/$$t-*)"; fail=$$((fail + 1)); \
	    fi; \
	done; \
	echo "fuzz: $$fail of $(words $(FUZZ_TARGETS)) targets failed"; [ $$fail = 0 ]
