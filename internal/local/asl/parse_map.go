package asl

import "fmt"

func parseMap(st *State, p *fieldParser, pc parseCtx, loc string) error {
	m := p.m
	if !st.jsonata {
		st.itemsPath = p.pathOnly("ItemsPath")
		if st.itemsPath != nil && !st.itemsPath.IsReference() {
			return fmt.Errorf("ItemsPath %q is not a reference path", st.itemsPath.src)
		}
		st.itemSelector = p.template("ItemSelector")
		if st.itemSelector != nil && st.parameters != nil {
			return fmt.Errorf("ItemSelector and Parameters are exclusive")
		}
		if st.itemSelector == nil {
			st.itemSelector, st.parameters = st.parameters, nil
		}
	}
	proc, hasProc := m["ItemProcessor"].(map[string]any)
	iter, hasIter := m["Iterator"].(map[string]any)
	procField := "ItemProcessor"
	switch {
	case hasProc && hasIter:
		return fmt.Errorf("ItemProcessor and Iterator are exclusive")
	case hasIter:
		proc, procField = iter, "Iterator"
	case !hasProc:
		return fmt.Errorf("ItemProcessor is missing")
	}
	mode := "INLINE"
	if cfg, ok := proc["ProcessorConfig"].(map[string]any); ok {
		if s, ok := cfg["Mode"].(string); ok {
			mode = s
		}
		if s, ok := cfg["ExecutionType"].(string); ok {
			st.executionType = s
		}
	}
	switch mode {
	case "INLINE":
	case "DISTRIBUTED":
		st.distributed = true
		if st.executionType != "STANDARD" && st.executionType != "EXPRESS" {
			return fmt.Errorf("a DISTRIBUTED Map needs ProcessorConfig.ExecutionType STANDARD or EXPRESS")
		}
	default:
		return fmt.Errorf("unknown ProcessorConfig.Mode %q", mode)
	}
	procCopy := map[string]any{}
	for k, v := range proc {
		if k != "ProcessorConfig" {
			procCopy[k] = v
		}
	}
	spc := pc
	spc.loc = loc + "/" + procField
	sub, err := parseMachine(procCopy, st.Name, spc)
	if err != nil {
		return err
	}
	st.processor = sub
	st.maxConcurrency, _ = p.posInt("MaxConcurrency", true)
	st.maxConcExpr = p.exprs["MaxConcurrency"]
	st.maxConcurrencyPath = p.pathOnly("MaxConcurrencyPath")
	if _, has := m["ItemReader"]; has {
		st.itemReader = true
	}
	st.label, _ = m["Label"].(string)
	for _, f := range []string{"ItemReader", "ResultWriter", "ItemBatcher", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label"} {
		if _, has := m[f]; has && !st.distributed {
			return fmt.Errorf("%s is only allowed in a DISTRIBUTED Map", f)
		}
	}
	if v, has := m["ToleratedFailurePercentage"]; has && !p.expr("ToleratedFailurePercentage") {
		f, ok := toFloat(v)
		if !ok || f < 0 || f > 100 {
			return fmt.Errorf("ToleratedFailurePercentage must be between 0 and 100")
		}
		st.toleratedPct, st.hasToleratedPct = f, true
	}
	if n, has := p.posInt("ToleratedFailureCount", true); has {
		st.toleratedCount, st.hasToleratedCount = n, true
	}
	st.toleratedPctExpr, st.toleratedCountExpr = p.exprs["ToleratedFailurePercentage"], p.exprs["ToleratedFailureCount"]
	st.toleratedPctPath = p.pathOnly("ToleratedFailurePercentagePath")
	st.toleratedCountPath = p.pathOnly("ToleratedFailureCountPath")
	if b, ok := m["ItemBatcher"].(map[string]any); ok {
		bp := fieldParser{m: b, jsonata: st.jsonata}
		ib := &itemBatcher{}
		ib.maxItems, _ = bp.posInt("MaxItemsPerBatch", false)
		ib.maxBytes, _ = bp.posInt("MaxInputBytesPerBatch", false)
		ib.maxItemsExpr, ib.maxBytesExpr = bp.exprs["MaxItemsPerBatch"], bp.exprs["MaxInputBytesPerBatch"]
		if st.jsonata {
			if v, has := b["BatchInput"]; has {
				var err error
				if ib.batchInputJ, err = compileJ(v, "ItemBatcher/BatchInput"); err != nil {
					return err
				}
			}
		} else {
			ib.maxItemsPath = bp.pathOnly("MaxItemsPerBatchPath")
			ib.maxBytesPath = bp.pathOnly("MaxInputBytesPerBatchPath")
			ib.batchInput = bp.template("BatchInput")
		}
		if bp.err != nil {
			return fmt.Errorf("ItemBatcher: %v", bp.err)
		}
		if ib.maxItems == 0 && ib.maxBytes == 0 && ib.maxItemsPath == nil && ib.maxBytesPath == nil && ib.maxItemsExpr == nil && ib.maxBytesExpr == nil {
			return fmt.Errorf("ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch")
		}
		st.batcher = ib
	}
	return nil
}
