"""Service requests (服务事项办理): 申请-受理-审核-办结, with the catalogue's time limits."""
