package asl

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// inlineConcurrency is how many iterations of an inline Map without
// MaxConcurrency run at once.
const inlineConcurrency = 40

// subFrame is the frame of a Parallel branch or Map iteration: a variable
// scope of its own inside f's (isolated: a Distributed Map child, which
// cannot read the variables around it).
func (r *runner) subFrame(f *frame, key, sub string, isolated bool) *frame {
	nf := &frame{prev: f.prev, silent: f.silent, vars: newScope(f.vars, isolated)}
	if key != "" { // journaling: keys need the prefix and visit counts
		nf.prefix = key + "/" + sub + "/"
		nf.visits = map[string]int{}
	}
	return nf
}

func (r *runner) runParallel(ctx context.Context, st *State, f *frame, key string, input any) (any, *ExecError) {
	if r.test != nil && r.test.mock != nil && r.test.state == st {
		return r.test.mockResult()
	}
	r.emit(f, "ParallelStateStarted", "", nil)
	results := make([]any, len(st.branches))
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr *ExecError
	)
	for i, b := range st.branches {
		wg.Add(1)
		go func(i int, b *Machine) {
			defer wg.Done()
			out, err := r.runMachine(cctx, b, r.subFrame(f, key, "b"+strconv.Itoa(i), false), input)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel(err)
				}
				mu.Unlock()
				return
			}
			results[i] = out
		}(i, b)
	}
	wg.Wait()
	if firstErr != nil {
		if ctx.Err() == nil {
			r.emit(f, "ParallelStateFailed", "", nil)
		}
		return nil, firstErr
	}
	if JSONSize(results, MaxPayloadBytes) > MaxPayloadBytes {
		return nil, execErr(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	r.emit(f, "ParallelStateSucceeded", "", nil)
	return results, nil
}

// mapItems selects the items and builds each item's input (ItemSelector).
func (r *runner) mapItems(st *State, eff any, env *stateEnv) ([]any, *ExecError) {
	if st.jsonata {
		return r.mapItemsJSONata(st, eff, env)
	}
	var items any = eff
	if st.itemsPath != nil {
		v, ok := st.itemsPath.sel(eff, env)
		if !ok {
			return nil, execErr(ErrRuntime, "Invalid path '%s': The ItemsPath field could not be found in the input", st.itemsPath.src)
		}
		items = v
	}
	arr, ok := items.([]any)
	if !ok {
		return nil, execErr(ErrRuntime, "Invalid path '%s': The Items path must point to an array, found %s", pathSrc(st.itemsPath), typeName(items))
	}
	if st.itemSelector == nil {
		return arr, nil
	}
	out := make([]any, len(arr))
	for i, item := range arr {
		v, err := r.evalTemplate(st.itemSelector, eff, env.withMapItem(i, item))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	r.inspect(st, "afterItemSelector", out)
	return out, nil
}

func pathSrc(p *Path) string {
	if p == nil {
		return "$"
	}
	return p.src
}

func (r *runner) intParam(fixed int, p *Path, eff any, env *stateEnv, field string) (int, *ExecError) {
	if p == nil {
		return fixed, nil
	}
	v, ok := p.sel(eff, env)
	n, isInt := toInt(v)
	if !ok || !isInt || n < 0 {
		return 0, execErr(ErrRuntime, "The %s field references an invalid value: %s", field, p.src)
	}
	return n, nil
}

func (r *runner) runMap(ctx context.Context, st *State, f *frame, key string, eff any, env *stateEnv) (any, *ExecError) {
	if st.itemReader && (r.test == nil || r.test.mock == nil) {
		return nil, execErr(ErrItemReaderFailed, "ItemReader (reading items from S3) is not supported by the local engine")
	}
	inputs, err := r.mapItems(st, eff, env)
	if err != nil {
		return nil, err
	}
	maxConc, err := r.intParam(st.maxConcurrency, st.maxConcurrencyPath, eff, env, "MaxConcurrencyPath")
	if st.maxConcExpr != nil {
		maxConc, err = r.evalInt(st.maxConcExpr, "MaxConcurrency", jstates{input: eff}, env, 0)
	}
	if err != nil {
		return nil, err
	}
	if r.test != nil && r.test.state == st {
		r.test.maxConcurrency = &maxConc
		if r.test.mock != nil {
			return r.test.mockResult()
		}
	}
	if st.distributed {
		return r.runDistributed(ctx, st, f, key, eff, env, inputs, maxConc)
	}
	r.emit(f, "MapStateStarted", "mapStateStartedEventDetails", &MapStateStartedDetails{Length: len(inputs)})
	results, _, firstErr := r.runItems(ctx, st, f, key, inputs, maxConc, nil, nil)
	if firstErr != nil {
		if ctx.Err() == nil {
			r.emit(f, "MapStateFailed", "", nil)
		}
		return nil, firstErr
	}
	if JSONSize(results, MaxPayloadBytes) > MaxPayloadBytes {
		return nil, execErr(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	r.emit(f, "MapStateSucceeded", "", nil)
	return results, nil
}

// runItems runs the item processor over inputs with at most maxConc at a
// time. Inline (exceeded nil): the first failure stops the others and is
// returned. Distributed children (exceeded set): a failed child puts its
// {Error, Cause} in the results and adds its weight (items in its batch, 1
// without weights) to the failures; once exceeded says the threshold is
// passed, the rest are stopped and the error is returned.
func (r *runner) runItems(ctx context.Context, st *State, f *frame, key string, inputs []any, maxConc int, weights []int, exceeded func(failed int) bool) ([]any, int, *ExecError) {
	children := exceeded != nil
	results := make([]any, len(inputs))
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr *ExecError
		failures int
		next     atomic.Int64
	)
	runOne := func(i int, in any) {
		sub := r.subFrame(f, key, strconv.Itoa(i), st.distributed)
		sub.silent = sub.silent || children
		details := &MapIterationDetails{Name: st.Name, Index: i}
		if !children {
			r.emit(sub, "MapIterationStarted", "mapIterationStartedEventDetails", details)
		}
		out, err := r.runMachine(cctx, st.processor, sub, in)
		if err == nil {
			results[i] = out
			if !children {
				r.emit(sub, "MapIterationSucceeded", "mapIterationSucceededEventDetails", details)
			}
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if children {
			if firstErr != nil {
				return // stopped after the threshold was passed
			}
			if weights != nil {
				failures += weights[i]
			} else {
				failures++
			}
			results[i] = map[string]any{"Error": err.Name, "Cause": err.Cause}
			if exceeded(failures) {
				firstErr = err
				cancel(err)
			}
			return
		}
		if firstErr != nil || cctx.Err() != nil {
			r.emit(sub, "MapIterationAborted", "mapIterationAbortedEventDetails", details)
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		r.emit(sub, "MapIterationFailed", "mapIterationFailedEventDetails", details)
		firstErr = err
		cancel(err)
	}
	// A fixed set of workers takes the items in order: MaxConcurrency of
	// them, or for an inline Map without one, 40 (AWS runs at most 40
	// iterations of an inline Map at a time).
	workers := maxConc
	if workers <= 0 {
		workers = inlineConcurrency
	}
	if workers > len(inputs) {
		workers = len(inputs)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(inputs) || cctx.Err() != nil {
					return
				}
				runOne(i, inputs[i])
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return nil, failures, r.ctxErr(ctx)
	}
	return results, failures, firstErr
}

func (r *runner) runDistributed(ctx context.Context, st *State, f *frame, key string, eff any, env *stateEnv, inputs []any, maxConc int) (any, *ExecError) {
	label := st.label
	if label == "" {
		label = st.Name
	}
	mapRunArn := fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", r.opts.Region, r.opts.Account, r.info.StateMachineName, label, requestID())
	r.emit(f, "MapRunStarted", "mapRunStartedEventDetails", &MapRunStartedDetails{MapRunArn: mapRunArn})
	total := len(inputs)
	var weights []int
	if st.batcher != nil {
		var err *ExecError
		if inputs, err = r.batch(st.batcher, eff, env, inputs); err != nil {
			r.emit(f, "MapRunFailed", "mapRunFailedEventDetails", &ErrorDetails{Error: err.Name, Cause: err.Cause})
			return nil, err
		}
		for _, b := range inputs {
			weights = append(weights, len(b.(map[string]any)["Items"].([]any)))
		}
	}
	exceeded, err := r.toleratedFailures(st, eff, env, total)
	if err != nil {
		return nil, err
	}
	if maxConc == 0 {
		maxConc = 10000
	}
	results, failures, ferr := r.runItems(ctx, st, f, key, inputs, maxConc, weights, exceeded)
	if ferr != nil && ctx.Err() != nil {
		return nil, r.ctxErr(ctx)
	}
	if ferr != nil || exceeded(failures) {
		e := &ExecError{Name: ErrExceedToleratedFailure, Cause: fmt.Sprintf("The specified tolerated failure threshold was exceeded: %d of %d items failed", failures, total)}
		r.emit(f, "MapRunFailed", "mapRunFailedEventDetails", &ErrorDetails{Error: e.Name, Cause: e.Cause})
		return nil, e
	}
	r.emit(f, "MapRunSucceeded", "", nil)
	if JSONSize(results, MaxPayloadBytes) > MaxPayloadBytes {
		return nil, execErr(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	return results, nil
}

// toleratedFailures returns the test of the Map Run's failure threshold:
// with ToleratedFailurePercentage, more than that percentage of the items
// failed; with ToleratedFailureCount, more than that many; with both, either;
// with neither, any failure.
func (r *runner) toleratedFailures(st *State, eff any, env *stateEnv, total int) (func(int) bool, *ExecError) {
	hasPct := st.toleratedPctPath != nil
	hasCount := st.toleratedCountPath != nil
	pct, count := st.toleratedPct, st.toleratedCount
	if st.toleratedPctPath != nil {
		v, ok := st.toleratedPctPath.sel(eff, env)
		f, isNum := toFloat(v)
		if !ok || !isNum || f < 0 || f > 100 {
			return nil, execErr(ErrRuntime, "The ToleratedFailurePercentagePath field references an invalid value: %s", st.toleratedPctPath.src)
		}
		pct = f
	}
	if st.toleratedCountPath != nil {
		n, err := r.intParam(0, st.toleratedCountPath, eff, env, "ToleratedFailureCountPath")
		if err != nil {
			return nil, err
		}
		count = n
	}
	if st.toleratedPctExpr != nil {
		v, err := r.evalJ(st.toleratedPctExpr, "ToleratedFailurePercentage", jstates{input: eff}, env)
		if err != nil {
			return nil, err
		}
		f, isNum := toFloat(v)
		if !isNum || f < 0 || f > 100 {
			return nil, r.typeError(env, st.toleratedPctExpr, "ToleratedFailurePercentage", "number between 0 and 100", v)
		}
		pct, hasPct = f, true
	}
	if st.toleratedCountExpr != nil {
		n, err := r.evalInt(st.toleratedCountExpr, "ToleratedFailureCount", jstates{input: eff}, env, 0)
		if err != nil {
			return nil, err
		}
		count, hasCount = n, true
	}
	hasPct = hasPct || st.hasToleratedPct
	hasCount = hasCount || st.hasToleratedCount
	return func(failed int) bool {
		switch {
		case !hasPct && !hasCount:
			return failed > 0
		case hasPct && float64(failed)*100 > pct*float64(total):
			return true
		case hasCount && failed > count:
			return true
		}
		return false
	}, nil
}

// batch groups item inputs into {"Items": [...], "BatchInput": ...} objects.
func (r *runner) batch(b *itemBatcher, eff any, env *stateEnv, inputs []any) ([]any, *ExecError) {
	maxItems, err := r.intParam(b.maxItems, b.maxItemsPath, eff, env, "MaxItemsPerBatchPath")
	if err == nil && b.maxItemsExpr != nil {
		maxItems, err = r.evalInt(b.maxItemsExpr, "ItemBatcher/MaxItemsPerBatch", jstates{input: eff}, env, 1)
	}
	if err != nil {
		return nil, err
	}
	maxBytes, err := r.intParam(b.maxBytes, b.maxBytesPath, eff, env, "MaxInputBytesPerBatchPath")
	if err == nil && b.maxBytesExpr != nil {
		maxBytes, err = r.evalInt(b.maxBytesExpr, "ItemBatcher/MaxInputBytesPerBatch", jstates{input: eff}, env, 1)
	}
	if err != nil {
		return nil, err
	}
	if maxBytes == 0 || maxBytes > MaxPayloadBytes {
		maxBytes = MaxPayloadBytes
	}
	var batchInput any
	hasBatchInput := b.batchInput != nil || b.batchInputJ != nil
	switch {
	case b.batchInputJ != nil:
		if batchInput, err = r.evalJ(b.batchInputJ, "ItemBatcher/BatchInput", jstates{input: eff}, env); err != nil {
			return nil, err
		}
	case b.batchInput != nil:
		if batchInput, err = r.evalTemplate(b.batchInput, eff, env); err != nil {
			return nil, err
		}
	}
	overhead := len(`{"Items":[]}`)
	if hasBatchInput {
		overhead += len(`,"BatchInput":`) + JSONSize(batchInput, 0)
	}
	var out []any
	var cur []any
	size := overhead
	flush := func() {
		if len(cur) == 0 {
			return
		}
		m := map[string]any{"Items": cur}
		if hasBatchInput {
			m["BatchInput"] = batchInput
		}
		out = append(out, m)
		cur, size = nil, overhead
	}
	for _, in := range inputs {
		n := JSONSize(in, 0) + 1
		if overhead+n > maxBytes {
			return nil, execErr(ErrRuntime, "an item of %d bytes does not fit in MaxInputBytesPerBatch %d", n, maxBytes)
		}
		if len(cur) > 0 && ((maxItems > 0 && len(cur) >= maxItems) || size+n > maxBytes) {
			flush()
		}
		cur = append(cur, in)
		size += n
	}
	flush()
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// mapItemsJSONata is mapItems for a JSONata Map: Items (an array or an
// expression giving one; the state input without it), then ItemSelector
// per item with $states.context.Map.Item.
func (r *runner) mapItemsJSONata(st *State, raw any, env *stateEnv) ([]any, *ExecError) {
	s := jstates{input: raw}
	items := raw
	if st.items != nil {
		var err *ExecError
		if items, err = r.evalJ(st.items, "Items", s, env); err != nil {
			return nil, err
		}
	}
	arr, ok := items.([]any)
	if !ok {
		t := st.items
		if t == nil {
			t = &jtemplate{static: true, lit: raw}
		}
		return nil, r.typeError(env, t, "Items", "array", items)
	}
	if st.itemSelectorJ == nil {
		return arr, nil
	}
	out := make([]any, len(arr))
	for i, item := range arr {
		v, err := r.evalJ(st.itemSelectorJ, "ItemSelector", s, env.withMapItem(i, item))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	r.inspect(st, "afterItemSelector", out)
	return out, nil
}
