"""Prints the official SAM 2 memory selection for the cases of MemoryPolicyTest (local parity check only).

Calls the official `SAM2Base._prepare_memory_conditioned_features` unbound on a stand-in object whose stored
memories carry their frame index as values, and a recording memory attention, then decodes which frames,
temporal slots and pointer positions were selected. Needs the official repo cloned into $OFFICIAL_SRC and
../shared/tools/official_shim.py (never a dependency of the project or its tests):

    OFFICIAL_SRC=/tmp/official /usr/bin/python3 scripts/parity/memory_policy_tables.py
"""
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "tools"))
import official_shim  # noqa: E402,F401  (stubs hydra/iopath, puts sam2 on sys.path)
import torch  # noqa: E402
import sam2.modeling.sam2_base as base  # noqa: E402

C = 4  # hidden_dim == mem_dim: pointers are not split into tokens
COND_MARK = 0.5

# the sine encoding is replaced by the normalised position itself, so that positions can be read back
base.get_1d_sine_pe = lambda pos, dim, temperature=10000: pos.unsqueeze(-1).expand(-1, dim).float()


def fake_model(num_maskmem=7, stride=1, max_ptrs=16, max_cond=-1):
    recorded = {}

    def attention(curr, curr_pos, memory, memory_pos, num_obj_ptr_tokens):
        recorded.update(memory=memory, memory_pos=memory_pos, n_ptr=num_obj_ptr_tokens)
        return curr[0]

    tpos = torch.arange(num_maskmem, dtype=torch.float32).view(num_maskmem, 1, 1, 1).expand(-1, 1, 1, C) * 1000
    return types.SimpleNamespace(
        num_maskmem=num_maskmem, hidden_dim=C, mem_dim=C, training=False, memory_temporal_stride_for_eval=stride,
        max_cond_frames_in_attn=max_cond, use_obj_ptrs_in_encoder=True, max_obj_ptrs_in_encoder=max_ptrs,
        only_obj_ptrs_in_the_past_for_eval=True, use_signed_tpos_enc_to_obj_ptrs=True,
        add_tpos_enc_to_obj_ptrs=True, proj_tpos_enc_in_obj_ptrs=True, obj_ptr_tpos_proj=torch.nn.Identity(),
        directly_add_no_mem_embed=True, maskmem_tpos_enc=tpos.reshape(num_maskmem, 1, 1, C),
        memory_attention=attention), recorded


def out(frame, cond):
    v = frame + (COND_MARK if cond else 0.0)
    return {"maskmem_features": torch.full((1, C, 1, 1), v), "maskmem_pos_enc": [torch.zeros(1, C, 1, 1)],
            "obj_ptr": torch.full((1, C), v)}


def run(name, frame, reverse, cond, noncond, num_frames, **cfg):
    model, rec = fake_model(**cfg)
    output_dict = {"cond_frame_outputs": {t: out(t, True) for t in cond},
                   "non_cond_frame_outputs": {t: out(t, False) for t in noncond}}
    feats = [torch.zeros(1, 1, C)]
    base.SAM2Base._prepare_memory_conditioned_features(
        model, frame_idx=frame, is_init_cond_frame=False, current_vision_feats=feats,
        current_vision_pos_embeds=feats, feat_sizes=[(1, 1)], output_dict=output_dict, num_frames=num_frames,
        track_in_reverse=reverse)
    mem, pos, n_ptr = rec["memory"][:, 0, 0], rec["memory_pos"][:, 0, 0], rec["n_ptr"]
    n_sp = mem.shape[0] - n_ptr
    spatial = [(int(mem[i]), bool(mem[i] % 1), int(pos[i] // 1000)) for i in range(n_sp)]
    t_diff_max = min(num_frames, cfg.get("max_ptrs", 16)) - 1
    pointers = [(int(mem[i]), bool(mem[i] % 1), int(round(float(pos[i]) * t_diff_max))) for i in range(n_sp, len(mem))]
    print(f"{name}: spatial(frame,cond,tposIndex)={spatial} pointers(frame,cond,position)={pointers}")


if __name__ == "__main__":
    run("forward", 18, False, [10], range(11, 18), 30)
    run("reverse-after-forward", 5, True, [10], list(range(6, 10)) + list(range(11, 26)), 30)
    run("forward-stride3", 20, False, [0], range(1, 20), 40, stride=3)
    run("reverse-stride2", 7, True, [19], range(8, 19), 20, stride=2)
    run("cond-ahead", 20, False, [10, 40], range(11, 20), 50)
    run("cond-ahead-reverse", 20, True, [10, 40], range(21, 40), 50)
    run("max-cond-2", 15, False, [0, 10, 20, 30], range(11, 15), 40, max_cond=2)
    run("short-video", 3, False, [0], [1, 2], 5)
    run("second-frame", 1, False, [0], [], 30)
