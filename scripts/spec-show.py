import yaml, sys, json
spec = yaml.safe_load(open(sys.argv[1]))
S = spec['components']['schemas']
def ref(r): return S[r.split('/')[-1]]
def show(s, ind=0, depth=0, seen=()):
    p = '  '*ind
    if '$ref' in s:
        name = s['$ref'].split('/')[-1]
        if name in seen or depth>int(sys.argv[3] if len(sys.argv)>3 else 3):
            print(p+'-> '+name); return
        print(p+'<'+name+'>'); show(ref(s['$ref']), ind, depth+1, seen+(name,)); return
    for k in ('allOf','oneOf','anyOf'):
        if k in s:
            print(p+k+':')
            for x in s[k]: show(x, ind+1, depth, seen)
    t = s.get('type'); req = set(s.get('required',[]))
    extra = []
    if s.get('nullable'): extra.append('null')
    if 'enum' in s: extra.append('enum='+','.join(map(str,s['enum'])))
    if 'format' in s: extra.append(s['format'])
    if s.get('additionalProperties') is False: extra.append('closed')
    if t=='object' or 'properties' in s:
        for k,v in s.get('properties',{}).items():
            vt = v.get('type', v.get('$ref','').split('/')[-1] or ('oneOf' if 'oneOf' in v else '?'))
            fl = ('*' if k in req else ' ')
            ex = []
            if v.get('nullable'): ex.append('null')
            if 'enum' in v: ex.append('enum='+','.join(map(str,v['enum'])))
            print(f"{p}{fl}{k}: {vt} {' '.join(ex)}")
            if '$ref' in v or v.get('type') in ('object','array') or 'allOf' in v or 'oneOf' in v:
                show(v if v.get('type')!='array' else v.get('items',{}), ind+2, depth, seen)
        if extra: print(p+'  ['+' '.join(extra)+']')
    elif t=='array':
        print(p+'array of:'); show(s.get('items',{}), ind+1, depth, seen)
    elif t:
        print(p+t+' '+' '.join(extra))
show({'$ref':'#/components/schemas/'+sys.argv[2]})
