#!/usr/bin/env python3
# Prints the dL/dX that tests/learning/fc/test_neurons.cu checks (ReferenceGradients): PyTorch
# autograd through T steps of an IF/LIF written as in SpikingJelly (ATan surrogate, alpha 2),
# L = sum_t W_t . S_t + Wv_t . V_t. Run: /usr/bin/python3 lif_bptt_reference.py
# Reference BPTT gradients from PyTorch autograd (SpikingJelly LIFNode semantics, ATan alpha 2).
import math, torch
torch.set_default_dtype(torch.float64)
class ATan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x); ctx.a = a
        return (x >= 0).to(x.dtype)
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors; a = ctx.a
        return g * (a / 2) / (1 + (math.pi / 2 * a * x) ** 2), None
T, N = 6, 4
X = torch.tensor([[0.3*((t*7+n*3)%11) - 0.4 + 0.05*n for n in range(N)] for t in range(T)], requires_grad=True)
W = torch.tensor([[math.sin(1.0 + t*N + n) for n in range(N)] for t in range(T)])
Wv = torch.tensor([[0.5*math.cos(2.0 + t*N + n) for n in range(N)] for t in range(T)])
def run(hard, detach, decay_input, leak=True, tau=2.0, vr=0.0):
    v = torch.full((N,), vr if hard else 0.0)
    L = 0
    Ss = []
    for t in range(T):
        x = X[t]
        if leak:
            vrest = vr if hard else 0.0
            h = v + (x - (v - vrest)) / tau if decay_input else v - (v - vrest) / tau + x
        else:
            h = v + x
        s = ATan.apply(h - 1.0, 2.0)
        sr = s.detach() if detach else s
        v = h * (1 - sr) + vr * sr if hard else h - 1.0 * sr
        L = L + (W[t] * s).sum() + (Wv[t] * v).sum()
        Ss.append(s.detach())
    X.grad = None
    L.backward()
    return torch.stack(Ss), X.grad.clone()
print("X =", [round(v, 6) for v in X.detach().flatten().tolist()])
for name, args in [("lif_hard", (True, False, True)), ("lif_hard_detach", (True, True, True)),
                   ("lif_soft", (False, False, True)), ("lif_hard_nodecay", (True, False, False)),
                   ("if_hard", dict(hard=True, detach=False, decay_input=True, leak=False)),
                   ("if_soft_detach", dict(hard=False, detach=True, decay_input=True, leak=False)),
                   ("lif_hard_vr", dict(hard=True, detach=False, decay_input=True, tau=3.0, vr=-0.2))]:
    S, g = run(*args) if isinstance(args, tuple) else run(**args)
    print(name, "spikes", int(S.sum().item()))
    print("  {" + ", ".join("%.17g" % v for v in g.flatten().tolist()) + "}")
