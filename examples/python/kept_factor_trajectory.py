"""Conjugate gradients against refinement with a kept factor on a real
training trajectory (docs/benchmarks.md, issue 29 item 2), densely.

For each pair of consecutive iterations written by
`cargo run --release --example dump_trajectory -- 512 20000 DIR`: the
largest, median and 99th percentile of |k/k_ref - 1|, the steps to a
relative error of 1e-12 (max norm) of refinement with the factor of
L(k_ref) and of conjugate gradients preconditioned by it (4 random drives),
and the unsplit kappa bound of each.

    python3 examples/python/kept_factor_trajectory.py DIR
"""
import numpy as np, sys, scipy.linalg as sl
d=sys.argv[1]
E=np.loadtxt(f'{d}/edges.txt',dtype=int); C=set(np.atleast_1d(np.loadtxt(f'{d}/constrained.txt',dtype=int)).tolist())
N=E.max()+1; F=[i for i in range(N) if i not in C]
def lap(k):
    L=np.zeros((N,N))
    for (i,j),w in zip(E,k):
        L[i,i]+=w;L[j,j]+=w;L[i,j]-=w;L[j,i]-=w
    return L[np.ix_(F,F)]
rng=np.random.default_rng(1)
B=rng.normal(size=(len(F),4))
for line in open(f'{d}/k.txt'):
    p=line.split(); s=int(p[0]); v=np.array(p[1:],float); m=len(v)//2; kr,k=v[:m],v[m:]
    r=np.abs(k/kr-1); rho=r.max()
    if rho==0: print(s,'rho 0'); continue
    Lr=lap(kr); L=lap(k); cf=sl.cho_factor(Lr); M=lambda x: sl.cho_solve(cf,x)
    X=np.linalg.solve(L,B); nx=np.abs(X).max(0)
    err=lambda x: (np.abs(x-X).max(0)/nx).max()
    # refinement
    x=M(B); nr=1
    while err(x)>1e-12 and nr<60: x=x+M(B-L@x); nr+=1
    # PCG per column
    ncg=0
    for c in range(4):
        b=B[:,c]; x=np.zeros_like(b); rr=b.copy(); z=M(rr); pp=z.copy(); rz=rr@z; it=0
        while np.abs(x-X[:,c]).max()/nx[c]>1e-12 and it<60:
            Ap=L@pp; al=rz/(pp@Ap); x+=al*pp; rr-=al*Ap; z=M(rr); rz2=rr@z; pp=z+rz2/rz*pp; rz=rz2; it+=1
        ncg=max(ncg,it)
    kap=(1+rho)/(1-rho) if rho<1 else np.inf
    q=(np.sqrt(kap)-1)/(np.sqrt(kap)+1)
    print(f'{s:6d} rho {rho:.2e} med|r-1| {np.median(r):.1e} p99 {np.quantile(r,0.99):.1e} refine {nr} pcg {ncg} bound_cg {np.log(1e-12)/np.log(q) if q>0 else 0:.1f} bound_ref {np.log(1e-12)/np.log(rho) if rho<1 else np.inf:.1f}')
