"""PyTorch 1.13 CPU timings (2 threads) for the shapes of align4j.bench.LayerKernelsBench: /usr/bin/python3 src/test/python/layer_kernels_torch_bench.py"""
import torch, time
torch.set_num_threads(2)
def t(f, n=10):
    f(); s=time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter()-s)/n*1000
L=torch.randn(256,50257); tg=torch.randint(0,50257,(256,))
print("logsoftmax+gather fwd ms", t(lambda: torch.log_softmax(L,-1).gather(1,tg[:,None])))
Lr=L.clone().requires_grad_()
def fb():
    y=torch.log_softmax(Lr,-1).gather(1,tg[:,None]).sum(); y.backward()
print("logsoftmax+gather fwd+bwd ms", t(fb))
B,H,T,D=2,12,512,64
q=torch.randn(B,H,T,D,requires_grad=True);k=torch.randn(B,H,T,D,requires_grad=True);v=torch.randn(B,H,T,D,requires_grad=True)
mask=torch.tril(torch.ones(T,T,dtype=torch.bool))
def att():
    a=(q@k.transpose(-1,-2))/8.0
    a=a.masked_fill(~mask, float('-inf')).softmax(-1)
    return a@v
with torch.no_grad(): print("attention fwd ms", t(att))
def attb():
    o=att(); o.backward(torch.ones_like(o))
print("attention fwd+bwd ms", t(attb))
x=torch.randn(1024,768); w=torch.randn(768); b=torch.randn(768)
print("layernorm fwd ms", t(lambda: torch.nn.functional.layer_norm(x,(768,),w,b)))
a=torch.randn(1024,3072)
print("gelu tanh fwd ms", t(lambda: torch.nn.functional.gelu(a, approximate='tanh')))
