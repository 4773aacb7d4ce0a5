/**
 * Administrative division codes (GB/T 2260) to the prefecture level, shipped as data.
 *
 * An ID number keeps the region code that was valid when it was issued, so a code retired since then
 * (a 地区 that became a 市, a city that was merged away) must still be accepted. The current table is the
 * prefecture list of the latest revision; `RETIRED_PREFECTURES` adds retired prefecture-level codes of the
 * revisions since 1980 that ID numbers are known to carry. Names are given where they are certain.
 */

export interface Province {
  /** Two-digit GB/T 2260 province code ('66' is the transport systems' pseudo code for the XPCC). */
  code: string;
  zh: string;
  /** Short name used on screens and in lists. */
  zhShort: string;
  /** One-character abbreviation (as on number plates). */
  abbr: string;
  en: string;
  /** True for the XPCC: it issues certificates, but no ID number carries its code. */
  pseudo?: boolean;
}

export const PROVINCES: readonly Province[] = [
  { code: '11', zh: '北京市', zhShort: '北京', abbr: '京', en: 'Beijing' },
  { code: '12', zh: '天津市', zhShort: '天津', abbr: '津', en: 'Tianjin' },
  { code: '13', zh: '河北省', zhShort: '河北', abbr: '冀', en: 'Hebei' },
  { code: '14', zh: '山西省', zhShort: '山西', abbr: '晋', en: 'Shanxi' },
  { code: '15', zh: '内蒙古自治区', zhShort: '内蒙古', abbr: '蒙', en: 'Inner Mongolia' },
  { code: '21', zh: '辽宁省', zhShort: '辽宁', abbr: '辽', en: 'Liaoning' },
  { code: '22', zh: '吉林省', zhShort: '吉林', abbr: '吉', en: 'Jilin' },
  { code: '23', zh: '黑龙江省', zhShort: '黑龙江', abbr: '黑', en: 'Heilongjiang' },
  { code: '31', zh: '上海市', zhShort: '上海', abbr: '沪', en: 'Shanghai' },
  { code: '32', zh: '江苏省', zhShort: '江苏', abbr: '苏', en: 'Jiangsu' },
  { code: '33', zh: '浙江省', zhShort: '浙江', abbr: '浙', en: 'Zhejiang' },
  { code: '34', zh: '安徽省', zhShort: '安徽', abbr: '皖', en: 'Anhui' },
  { code: '35', zh: '福建省', zhShort: '福建', abbr: '闽', en: 'Fujian' },
  { code: '36', zh: '江西省', zhShort: '江西', abbr: '赣', en: 'Jiangxi' },
  { code: '37', zh: '山东省', zhShort: '山东', abbr: '鲁', en: 'Shandong' },
  { code: '41', zh: '河南省', zhShort: '河南', abbr: '豫', en: 'Henan' },
  { code: '42', zh: '湖北省', zhShort: '湖北', abbr: '鄂', en: 'Hubei' },
  { code: '43', zh: '湖南省', zhShort: '湖南', abbr: '湘', en: 'Hunan' },
  { code: '44', zh: '广东省', zhShort: '广东', abbr: '粤', en: 'Guangdong' },
  { code: '45', zh: '广西壮族自治区', zhShort: '广西', abbr: '桂', en: 'Guangxi' },
  { code: '46', zh: '海南省', zhShort: '海南', abbr: '琼', en: 'Hainan' },
  { code: '50', zh: '重庆市', zhShort: '重庆', abbr: '渝', en: 'Chongqing' },
  { code: '51', zh: '四川省', zhShort: '四川', abbr: '川', en: 'Sichuan' },
  { code: '52', zh: '贵州省', zhShort: '贵州', abbr: '贵', en: 'Guizhou' },
  { code: '53', zh: '云南省', zhShort: '云南', abbr: '云', en: 'Yunnan' },
  { code: '54', zh: '西藏自治区', zhShort: '西藏', abbr: '藏', en: 'Tibet' },
  { code: '61', zh: '陕西省', zhShort: '陕西', abbr: '陕', en: 'Shaanxi' },
  { code: '62', zh: '甘肃省', zhShort: '甘肃', abbr: '甘', en: 'Gansu' },
  { code: '63', zh: '青海省', zhShort: '青海', abbr: '青', en: 'Qinghai' },
  { code: '64', zh: '宁夏回族自治区', zhShort: '宁夏', abbr: '宁', en: 'Ningxia' },
  { code: '65', zh: '新疆维吾尔自治区', zhShort: '新疆', abbr: '新', en: 'Xinjiang' },
  { code: '66', zh: '新疆生产建设兵团', zhShort: '兵团', abbr: '兵', en: 'Xinjiang Production and Construction Corps', pseudo: true },
];

/** Region codes of residence permits for Hong Kong, Macao and Taiwan residents (GB 11643 format, no province). */
export const RESIDENCE_PERMIT_REGION_CODES: readonly string[] = ['810000', '820000', '830000'];

// Current prefecture-level codes: province → 'NN name|NN name|…' (NN = digits 3–4 of the code).
const CURRENT_PREFECTURES: Record<string, string> = {
  11: '01 市辖区',
  12: '01 市辖区',
  13: '01 石家庄市|02 唐山市|03 秦皇岛市|04 邯郸市|05 邢台市|06 保定市|07 张家口市|08 承德市|09 沧州市|10 廊坊市|11 衡水市',
  14: '01 太原市|02 大同市|03 阳泉市|04 长治市|05 晋城市|06 朔州市|07 晋中市|08 运城市|09 忻州市|10 临汾市|11 吕梁市',
  15: '01 呼和浩特市|02 包头市|03 乌海市|04 赤峰市|05 通辽市|06 鄂尔多斯市|07 呼伦贝尔市|08 巴彦淖尔市|09 乌兰察布市|22 兴安盟|25 锡林郭勒盟|29 阿拉善盟',
  21: '01 沈阳市|02 大连市|03 鞍山市|04 抚顺市|05 本溪市|06 丹东市|07 锦州市|08 营口市|09 阜新市|10 辽阳市|11 盘锦市|12 铁岭市|13 朝阳市|14 葫芦岛市',
  22: '01 长春市|02 吉林市|03 四平市|04 辽源市|05 通化市|06 白山市|07 松原市|08 白城市|24 延边朝鲜族自治州',
  23: '01 哈尔滨市|02 齐齐哈尔市|03 鸡西市|04 鹤岗市|05 双鸭山市|06 大庆市|07 伊春市|08 佳木斯市|09 七台河市|10 牡丹江市|11 黑河市|12 绥化市|27 大兴安岭地区',
  31: '01 市辖区',
  32: '01 南京市|02 无锡市|03 徐州市|04 常州市|05 苏州市|06 南通市|07 连云港市|08 淮安市|09 盐城市|10 扬州市|11 镇江市|12 泰州市|13 宿迁市',
  33: '01 杭州市|02 宁波市|03 温州市|04 嘉兴市|05 湖州市|06 绍兴市|07 金华市|08 衢州市|09 舟山市|10 台州市|11 丽水市',
  34: '01 合肥市|02 芜湖市|03 蚌埠市|04 淮南市|05 马鞍山市|06 淮北市|07 铜陵市|08 安庆市|10 黄山市|11 滁州市|12 阜阳市|13 宿州市|15 六安市|16 亳州市|17 池州市|18 宣城市',
  35: '01 福州市|02 厦门市|03 莆田市|04 三明市|05 泉州市|06 漳州市|07 南平市|08 龙岩市|09 宁德市',
  36: '01 南昌市|02 景德镇市|03 萍乡市|04 九江市|05 新余市|06 鹰潭市|07 赣州市|08 吉安市|09 宜春市|10 抚州市|11 上饶市',
  37: '01 济南市|02 青岛市|03 淄博市|04 枣庄市|05 东营市|06 烟台市|07 潍坊市|08 济宁市|09 泰安市|10 威海市|11 日照市|13 临沂市|14 德州市|15 聊城市|16 滨州市|17 菏泽市',
  41: '01 郑州市|02 开封市|03 洛阳市|04 平顶山市|05 安阳市|06 鹤壁市|07 新乡市|08 焦作市|09 濮阳市|10 许昌市|11 漯河市|12 三门峡市|13 南阳市|14 商丘市|15 信阳市|16 周口市|17 驻马店市|90 省直辖县级行政区划',
  42: '01 武汉市|02 黄石市|03 十堰市|05 宜昌市|06 襄阳市|07 鄂州市|08 荆门市|09 孝感市|10 荆州市|11 黄冈市|12 咸宁市|13 随州市|28 恩施土家族苗族自治州|90 省直辖县级行政区划',
  43: '01 长沙市|02 株洲市|03 湘潭市|04 衡阳市|05 邵阳市|06 岳阳市|07 常德市|08 张家界市|09 益阳市|10 郴州市|11 永州市|12 怀化市|13 娄底市|31 湘西土家族苗族自治州',
  44: '01 广州市|02 韶关市|03 深圳市|04 珠海市|05 汕头市|06 佛山市|07 江门市|08 湛江市|09 茂名市|12 肇庆市|13 惠州市|14 梅州市|15 汕尾市|16 河源市|17 阳江市|18 清远市|19 东莞市|20 中山市|51 潮州市|52 揭阳市|53 云浮市',
  45: '01 南宁市|02 柳州市|03 桂林市|04 梧州市|05 北海市|06 防城港市|07 钦州市|08 贵港市|09 玉林市|10 百色市|11 贺州市|12 河池市|13 来宾市|14 崇左市',
  46: '01 海口市|02 三亚市|03 三沙市|04 儋州市|90 省直辖县级行政区划',
  50: '01 市辖区|02 县',
  51: '01 成都市|03 自贡市|04 攀枝花市|05 泸州市|06 德阳市|07 绵阳市|08 广元市|09 遂宁市|10 内江市|11 乐山市|13 南充市|14 眉山市|15 宜宾市|16 广安市|17 达州市|18 雅安市|19 巴中市|20 资阳市|32 阿坝藏族羌族自治州|33 甘孜藏族自治州|34 凉山彝族自治州',
  52: '01 贵阳市|02 六盘水市|03 遵义市|04 安顺市|05 毕节市|06 铜仁市|23 黔西南布依族苗族自治州|26 黔东南苗族侗族自治州|27 黔南布依族苗族自治州',
  53: '01 昆明市|03 曲靖市|04 玉溪市|05 保山市|06 昭通市|07 丽江市|08 普洱市|09 临沧市|23 楚雄彝族自治州|25 红河哈尼族彝族自治州|26 文山壮族苗族自治州|28 西双版纳傣族自治州|29 大理白族自治州|31 德宏傣族景颇族自治州|33 怒江傈僳族自治州|34 迪庆藏族自治州',
  54: '01 拉萨市|02 日喀则市|03 昌都市|04 林芝市|05 山南市|06 那曲市|25 阿里地区',
  61: '01 西安市|02 铜川市|03 宝鸡市|04 咸阳市|05 渭南市|06 延安市|07 汉中市|08 榆林市|09 安康市|10 商洛市',
  62: '01 兰州市|02 嘉峪关市|03 金昌市|04 白银市|05 天水市|06 武威市|07 张掖市|08 平凉市|09 酒泉市|10 庆阳市|11 定西市|12 陇南市|29 临夏回族自治州|30 甘南藏族自治州',
  63: '01 西宁市|02 海东市|22 海北藏族自治州|23 黄南藏族自治州|25 海南藏族自治州|26 果洛藏族自治州|27 玉树藏族自治州|28 海西蒙古族藏族自治州',
  64: '01 银川市|02 石嘴山市|03 吴忠市|04 固原市|05 中卫市',
  65: '01 乌鲁木齐市|02 克拉玛依市|04 吐鲁番市|05 哈密市|23 昌吉回族自治州|27 博尔塔拉蒙古自治州|28 巴音郭楞蒙古自治州|29 阿克苏地区|30 克孜勒苏柯尔克孜自治州|31 喀什地区|32 和田地区|40 伊犁哈萨克自治州|42 塔城地区|43 阿勒泰地区|90 自治区直辖县级行政区划',
};

// Retired prefecture-level codes still found in ID numbers issued while they were valid.
// An empty name means the code is known to have existed but its name is not recorded here.
const RETIRED_PREFECTURES: Record<string, string> = {
  11: '02 县',
  12: '02 县',
  13: '21 邯郸地区|22 邢台地区|23 石家庄地区|24 保定地区|25 张家口地区|26 承德地区|27 唐山地区|28 廊坊地区|29 沧州地区|30 衡水地区',
  14: '21 雁北地区|22 忻州地区|23 吕梁地区|24 晋中地区|25 晋东南地区|26 临汾地区|27 运城地区',
  15: '21 呼伦贝尔盟|23 哲里木盟|24 昭乌达盟|26 乌兰察布盟|27 伊克昭盟|28 巴彦淖尔盟',
  21: '21 铁岭地区|22 朝阳地区',
  22: '21 |22 |23 白城地区',
  23: '21 松花江地区|22 嫩江地区|23 绥化地区|24 合江地区|25 牡丹江地区|26 黑河地区',
  31: '02 县',
  32: '21 |22 |23 |24 |25 |26 |27 ',
  33: '21 |22 |23 |24 |25 |26 |27 ',
  34: '14 巢湖市|21 |22 |23 |24 |25 |26 |27 |28 |29 ',
  35: '21 |22 |23 |24 |25 |26 |27 ',
  36: '21 |22 |23 |24 |25 |26 ',
  37: '12 莱芜市|21 |22 |23 |24 |25 |26 |27 |28 |29 |30 |31 ',
  41: '21 |22 |23 |24 |25 |26 |27 周口地区|28 驻马店地区|29 南阳地区|30 信阳地区',
  42: '04 沙市市|21 |22 |23 |24 |25 |26 |27 ',
  43: '21 |22 |23 |24 |25 |26 |27 |28 |29 |30 ',
  44: '21 |22 |23 |24 |25 |26 |27 |28 ',
  45: '21 |22 |23 |24 |25 |26 |27 |28 ',
  50: '03 市',
  51: '02 重庆市|21 |22 |23 |24 |25 |26 |27 |28 |29 |30 |31 |35 |36 |37 |38 |39 ',
  52: '21 |22 |24 毕节地区|25 ',
  53: '02 东川市|21 昭通地区|22 曲靖地区|24 玉溪地区|27 思茅地区|30 保山地区|32 丽江地区|35 临沧地区',
  54: '21 昌都地区|22 山南地区|23 日喀则地区|24 那曲地区|26 林芝地区',
  61: '21 |22 |23 |24 |25 |26 |27 ',
  62: '21 酒泉地区|22 张掖地区|23 武威地区|24 定西地区|25 |26 陇南地区|27 平凉地区|28 庆阳地区',
  63: '21 海东地区',
  64: '21 |22 固原地区',
  65: '21 吐鲁番地区|22 哈密地区|24 |41 ',
};

export interface Prefecture {
  /** Four-digit code. */
  code: string;
  /** Chinese name; empty for a retired code whose name is not recorded. */
  zh: string;
  retired: boolean;
}

function expand(table: Record<string, string>, retired: boolean): Prefecture[] {
  return Object.entries(table).flatMap(([province, list]) =>
    list.split('|').map((entry) => ({ code: province + entry.slice(0, 2), zh: entry.slice(3).trim(), retired })),
  );
}

/** All prefecture-level codes accepted in ID numbers, current first. */
export const PREFECTURES: readonly Prefecture[] = [...expand(CURRENT_PREFECTURES, false), ...expand(RETIRED_PREFECTURES, true)];

const PROVINCE_BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]));
const PREFECTURE_BY_CODE = new Map<string, Prefecture>();
for (const p of PREFECTURES) if (!PREFECTURE_BY_CODE.has(p.code)) PREFECTURE_BY_CODE.set(p.code, p);

/** The province of a code of any length ≥ 2 (its first two digits), or undefined. Includes the XPCC ('66'). */
export function provinceOf(code: string): Province | undefined {
  return PROVINCE_BY_CODE.get(code.slice(0, 2));
}

export function prefectureOf(code: string): Prefecture | undefined {
  return PREFECTURE_BY_CODE.get(code.slice(0, 4));
}

/**
 * Whether a six-digit code can head an ID number: a real province (not the XPCC pseudo code) and a
 * prefecture-level code current or retired, or the province's own 'xx00' / directly-administered 'xx90' code.
 * Residence-permit codes 810000/820000/830000 are accepted too.
 */
export function isKnownRegionCode(code6: string): boolean {
  if (!/^\d{6}$/.test(code6)) return false;
  if (RESIDENCE_PERMIT_REGION_CODES.includes(code6)) return true;
  const province = provinceOf(code6);
  if (!province || province.pseudo) return false;
  const prefectureDigits = code6.slice(2, 4);
  if (prefectureDigits === '00' || prefectureDigits === '90') return true;
  return PREFECTURE_BY_CODE.has(code6.slice(0, 4));
}
