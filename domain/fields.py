"""Chinese labels of the fields users see in errors and reports (seed 001, 附件1)."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "certificate_type": "证件类型",
    "id_number": "证件号码",
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "nationality": "国家和地区代码",
    "survival_status": "生存状态",
    "phone": "联系电话",
    "household_region": "户籍所在地区划",
    "address": "户籍地址",
    "civil_servant": "公务员标志",
    "local_person_number": "人员编号",
    "region": "参保地医保区划",
    "region_name": "参保地医保区划名称",
    "pooling_region": "统筹区编码",
    "insurance_type": "险种类型",
    "enrollment_status": "参保状态",
    "contribution_status": "个人缴费状态",
    "insured_identity": "参保身份",
    "person_type": "人员类别",
    "unit_code": "单位编号",
    "unit_name": "单位名称",
    "unit_type": "单位类型",
    "management_type": "单位管理类型",
    "finance_funded": "财政全额供款标志",
    "start_month": "缴费起始年月",
    "end_month": "缴费截止年月",
    "effective_date": "生效日期",
    "contribution_month": "费款所属期",
    "base": "缴费基数",
    "unit_amount": "单位缴纳金额",
    "personal_amount": "个人缴纳金额",
    "paid_on": "到账日期",
    "enrollment_id": "参保记录",
    "reason": "变更原因",
    "evidence": "佐证资料",
    "transfer_id": "转移接续编号",
    "target_region": "转入地医保区划",
    "direction": "转移制度方向",
    "changes": "更正内容",
    "target_id_number": "目标证件号码",
    "campaign_id": "核对批次",
    "export_window": "导出期",
    "correction_window": "更正期",
    "locked_until": "锁定截止日期",
    "suspend_staff": "同步暂停人员",
    "successor_codes": "承继单位编号",
    "person": "参保人员",
    "unit": "参保单位",
    "command_id": "指令编号",
    "actor": "经办人",
    "channel": "办理渠道",
    "known_at": "知悉时间",
    "after": "翻页位置",
}


def label_of(field: str) -> str:
    return LABELS.get(field, field)


def api_name(field: str) -> str:
    """The GraphQL name of a field: `id_number` → `idNumber`."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)
